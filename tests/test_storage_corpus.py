"""Opening the corpus file: reopened as it was, refused when it is no database or
of a newer schema, shared by two connections."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.errors import StorageError
from crawler.storage import APPLICATION_ID, SCHEMA_VERSION, Corpus
from crawler.storage.queries import Queries
from crawler.storage.writes import Writer
from tests.storage_items import article


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        corpus.save([article("a")])
    for _ in range(2):
        with Corpus(path) as corpus:
            assert corpus.schema_version() == SCHEMA_VERSION
            assert corpus.counts()["articles"] == 1


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (url TEXT, hologram BLOB)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a newer crawler's corpus
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError) as error:
        Corpus(path)
    assert str(error.value) == (f"{path}: schema version {SCHEMA_VERSION + 1} is newer than "
                                f"this crawler ({SCHEMA_VERSION})")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.db"]


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"These are my notes, not a database.\n" * 200)
    before = path.read_bytes()
    with pytest.raises(StorageError) as error:
        Corpus(path)
    assert str(error.value) == f"{path} is not a SQLite database"
    assert "\n" not in str(error.value)
    assert path.read_bytes() == before


def test_a_folder_in_the_way_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(StorageError, match="cannot create its folder"):
        Corpus(tmp_path / "blocker" / "corpus.db")
    with pytest.raises(StorageError, match="open failed"):
        Corpus(tmp_path)


def test_two_connections_share_the_file(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as first, Corpus(path) as second:
        first.save([article("a")])
        second.save([article("b")])
        assert first.counts()["articles"] == second.counts()["articles"] == 2


def test_the_parts_methods_are_the_corpus_own(tmp_path: Path) -> None:
    with Corpus(tmp_path / "corpus.db") as corpus:
        corpus.save([article("a")])
        digest = article("a")["content_hash"]
        # The dedupe pipeline calls them on the class, with the corpus.
        assert Corpus.copies_of(corpus, digest) == corpus.queries.copies_of(digest) == [
            (article("a")["url"], article("a")["published"])]
        assert Corpus.is_known.__doc__ == Queries.is_known.__doc__
        assert Corpus.save.__doc__ == Writer.save.__doc__
        assert corpus.runs() == corpus.history.latest() == []
