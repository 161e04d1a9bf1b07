"""The corpus schema: its tables, views and constraints, and the migrations that make
it, applied in order, each all or nothing, an old file migrated in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from crawler.errors import StorageError
from crawler.storage import MIGRATIONS, SCHEMA_VERSION, Corpus, schema
from tests.storage_items import SITE, article, fetch, rows, url

# -- the whole schema ------------------------------------------------------------------


def test_fresh_file_gets_the_whole_schema(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folders" / "corpus.db"
    with Corpus(path) as corpus:
        assert path.is_file()
        assert corpus.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
        assert corpus.db.journal_mode == "wal"
        assert corpus.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert corpus.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert corpus.counts() == {"articles": 0, "aliases": 0, "links": 0}
        columns = corpus.db["articles"].columns_dict
        assert list(columns) == [
            "id", "url", "title", "author", "published", "published_raw", "modified",
            "categories", "tags", "body", "language", "word_count", "content_hash",
            "status", "profile", "fetched_at", "first_seen", "last_seen",
        ]
        assert corpus.db["links"].pks == ["src", "dst", "role"]
        assert corpus.db["aliases"].pks == ["url"]
        indexed = {tuple(i.columns) for t in ("articles", "aliases", "links")
                   for i in corpus.db[t].indexes}
        assert {("url",), ("content_hash",), ("article_url",), ("dst",)} <= indexed


def test_schema_enforces_url_and_role(corpus: Corpus) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO links (src, dst, role) VALUES ('a', 'b', 'sidebar')")
    corpus.db.execute("INSERT INTO articles (url) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO articles (url) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO articles (title) VALUES ('no url')")


def test_fresh_file_gets_the_v2_tables_and_views(corpus: Corpus) -> None:
    assert SCHEMA_VERSION == 3
    db = corpus.db
    assert {"runs", "bodies", "fetches", "revisions"} <= set(db.table_names())
    assert set(db.view_names()) == {"pending", "chain_ends"}
    assert list(db["runs"].columns_dict) == [
        "id", "started_at", "finished_at", "profile", "start_urls", "pid", "host", "fetched",
        "new", "updated", "unchanged", "duplicates", "failed", "not_modified", "coverage",
        "date_failures", "finish_reason", "exit_status",
    ]
    assert list(db["bodies"].columns_dict) == ["digest", "encoding", "size", "data"]
    assert db["bodies"].pks == ["digest"]
    assert list(db["fetches"].columns_dict) == [
        "id", "run_id", "requested_url", "final_url", "status", "etag", "last_modified",
        "content_type", "digest", "link_role", "link_src", "fetched_at", "error",
    ]
    assert [(fk.column, fk.other_table) for fk in db["fetches"].foreign_keys] == [
        ("digest", "bodies")]
    assert list(db["revisions"].columns_dict) == [
        "id", "article_url", "title", "author", "published", "modified", "categories", "tags",
        "body", "content_hash", "first_seen", "replaced_at", "run_id",
    ]
    indexed = {(t, tuple(i.columns)) for t in ("fetches", "revisions") for i in db[t].indexes}
    assert {("fetches", ("final_url",)), ("fetches", ("requested_url",)),
            ("revisions", ("article_url",))} <= indexed


# -- migrations ------------------------------------------------------------------------


def test_failing_migration_leaves_the_previous_version(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        corpus.save([article("a")])

    def broken(db) -> None:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        db.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(StorageError, match="migrate failed: no such table"):
        Corpus(path)
    monkeypatch.undo()
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION
        assert "notes" not in corpus.db.table_names()
        assert corpus.counts()["articles"] == 1


def test_each_migration_is_named_and_says_what_it_adds() -> None:
    names = [migration.__name__ for migration in MIGRATIONS]
    assert names == ["articles_aliases_links", "run_memory", "corpus_meta"]
    for version, migration in enumerate(MIGRATIONS, start=1):
        assert (migration.__doc__ or "").startswith(f"Version {version}: ")


def test_pending_migrations_are_applied_in_order(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.db"
    Corpus(path).close()

    def add_notes(db) -> None:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, url TEXT)")

    def add_note(db) -> None:
        db.execute("ALTER TABLE notes ADD COLUMN note TEXT")

    monkeypatch.setattr(schema, "MIGRATIONS", [*MIGRATIONS, add_notes, add_note])
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION + 2
        assert list(corpus.db["notes"].columns_dict) == ["id", "url", "note"]
    with Corpus(path) as corpus:  # nothing left to apply
        assert corpus.schema_version() == SCHEMA_VERSION + 2


def v1_file(path: Path) -> None:
    """A corpus written by the first version: migration 1 only, rows in every table."""
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO articles (url, title, body, content_hash, categories, tags,"
               " first_seen, last_seen) VALUES (?, 'عنوان', 'نص', 'h1', '[\"لبنان\"]', '[]',"
               " '2020-01-01T00:00:00+00:00', '2020-01-02T00:00:00+00:00')", [url("a")])
    db.execute("INSERT INTO aliases VALUES (?, ?, 'shortlink', '2020-01-01T00:00:00+00:00')",
               [f"{SITE}/?p=1", url("a")])
    db.execute("INSERT INTO links VALUES (?, ?, 'prev', 'rel')", [url("a"), url("older")])
    db.conn.commit()
    db.close()


def test_a_v1_file_migrates_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    v1_file(path)
    before = {t: sqlite_utils.Database(path).execute(f"SELECT * FROM {t}").fetchall()
              for t in ("articles", "aliases", "links")}
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION
        for table, old_rows in before.items():
            assert corpus.db.execute(f"SELECT * FROM {table}").fetchall() == old_rows, table
        assert corpus.pending_urls() == [url("older")]
        assert corpus.chain_ends() == [(url("a"), "next")]
        assert corpus.is_known(f"{SITE}/?p=1")
        # The migrated file takes the new writes: a revision of the v1 row, with its dates.
        counts = corpus.save([article("a", title="عنوان جديد", content_hash="h2",
                                      fetch=fetch("a"))], run_id=None)
        assert (counts.updated, counts.revisions, counts.fetches) == (1, 1, 1)
        assert rows(corpus, "SELECT title, content_hash, first_seen FROM revisions") == [
            ("عنوان", "h1", "2020-01-01T00:00:00+00:00")]
