"""The command line, run for real, on files that are not corpora, and reading commands
that change no byte of a corpus."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from crawler.storage import Corpus
from tests.conftest import run_cli
from tests.test_storage_identity import (
    URL,
    listing,
    old_corpus,
    other_database,
    pragma,
    written_by_a_killed_crawl,
)

COMMANDS = {
    "stats": ["stats"],
    "runs": ["runs"],
    "crawl": ["crawl", "wordpress", "http://127.0.0.1:9/"],
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(("make", "says"), [
    (other_database, "is not a corpus of this crawler (it holds tables notes, tags)"),
    (lambda p: other_database(p, wal=True),
     "is not a corpus of this crawler (it holds tables notes, tags)"),
    (lambda p: p.write_text("my notes\n"), "is not a SQLite database"),
    (lambda p: p.write_bytes(os.urandom(4096)), "is not a SQLite database"),
], ids=["other application", "other application in WAL mode", "text", "random bytes"])
def test_every_command_refuses_a_file_that_is_no_corpus_untouched(tmp_path: Path, command,
                                                                  make, says) -> None:
    db = tmp_path / "their.db"
    make(db)
    before = sha256(db)
    result = run_cli(*COMMANDS[command], "--db", str(db))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [f"Error: {db} {says}"]
    assert sha256(db) == before
    assert listing(tmp_path) == ["their.db"]  # no -wal, -shm or lock file


@pytest.mark.parametrize("command", ["stats", "runs"])
def test_reading_commands_refuse_an_empty_file_untouched(tmp_path: Path, command) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    result = run_cli(command, "--db", str(db))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [f"Error: {db} holds no corpus"]
    assert db.read_bytes() == b"" and listing(tmp_path) == ["empty.db"]


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    db = tmp_path / "corpus.db"
    with Corpus(db) as corpus:
        run = corpus.start_run("janoubia", ["https://www.janoubia.com/"])
        corpus.save([{"url": URL, "title": "t"}], run_id=run)
        corpus.finish_run(run, fetched=1, new=1, finish_reason="finished", exit_status=0)
    return db


def read_both(db: Path) -> tuple[str, str]:
    stats, runs = run_cli("stats", "--db", str(db)), run_cli("runs", "--db", str(db))
    assert (stats.returncode, stats.stderr, runs.returncode, runs.stderr) == (0, "", 0, "")
    return stats.stdout, runs.stdout


def test_reading_a_corpus_changes_no_byte_of_it(corpus_file: Path) -> None:
    before = sha256(corpus_file)
    stats, runs = read_both(corpus_file)
    assert "articles: 1" in stats and "finished" in runs
    assert sha256(corpus_file) == before


def test_reading_what_a_killed_crawl_left_in_the_wal_changes_no_byte(corpus_file: Path
                                                                     ) -> None:
    written_by_a_killed_crawl(corpus_file)
    wal = Path(f"{corpus_file}-wal")
    before = (sha256(corpus_file), sha256(wal))
    stats, _ = read_both(corpus_file)
    assert "articles: 2" in stats  # the killed crawl's commit, read from the -wal
    assert (sha256(corpus_file), sha256(wal)) == before


def test_reading_while_a_crawl_writes(corpus_file: Path) -> None:
    with Corpus(corpus_file) as writer:
        writer.save([{"url": URL + "b/"}])
        before = sha256(corpus_file)
        stats, _ = read_both(corpus_file)
        assert "articles: 2" in stats
        assert sha256(corpus_file) == before
        writer.save([{"url": URL + "c/"}])


def test_reading_a_corpus_of_schema_2_leaves_it_at_2(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    old_corpus(db, 2)
    before = sha256(db)
    stats, runs = read_both(db)
    assert "articles: 1" in stats and runs.strip() == "no runs recorded yet"
    assert sha256(db) == before
    assert (pragma(db, "user_version"), pragma(db, "application_id")) == (2, 0)


def test_reading_a_corpus_of_schema_1_says_how_to_migrate_it(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    old_corpus(db, 1)
    before = sha256(db)
    result = run_cli("stats", "--db", str(db))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        f"Error: {db}: schema version 1 is too old to read; a crawl into it migrates it "
        "(`crawler crawl`)"]
    assert sha256(db) == before
