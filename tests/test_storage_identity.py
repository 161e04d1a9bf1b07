"""A corpus knows it is ours: other files are refused untouched, and a read-only
corpus (``Corpus(path, readonly=True)``) changes no byte of its file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlite_utils

from crawler.errors import StorageError
from crawler.storage import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Corpus

REPO = Path(__file__).resolve().parents[1]
URL = "https://www.janoubia.com/2017/09/12/a/"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def pragma(path: Path, name: str) -> int:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def old_corpus(path: Path, version: int) -> None:
    """A corpus as a crawler before the application id wrote it: *version* migrations,
    one article, and no application id."""
    db = sqlite_utils.Database(path)
    db.enable_wal()
    for migrate in MIGRATIONS[:version]:
        migrate(db)
    db.execute(f"PRAGMA user_version = {version}")
    db.execute("INSERT INTO articles (url, title, categories, tags) VALUES (?, 't', '[]', '[]')",
               [URL])
    db.conn.commit()
    db.close()


def other_database(path: Path, *, wal: bool = False) -> None:
    """Another application's SQLite file, its own tables and schema version."""
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("CREATE TABLE tags (note_id INTEGER, tag TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('milk')")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()


def raw(sql: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        conn = sqlite3.connect(path)
        conn.executescript(sql)
        conn.commit()
        conn.close()
    return make


# Files that are SQLite databases but not corpora, and what the refusal says they hold.
NOT_CORPORA = [
    (other_database, "it holds tables notes, tags"),
    (lambda path: other_database(path, wal=True), "it holds tables notes, tags"),
    # Our table names at a version no crawler wrote without the application id.
    (raw("CREATE TABLE articles (x); CREATE TABLE aliases (x); CREATE TABLE links (x);"
         " PRAGMA user_version = 7;"), "it holds tables aliases, articles, links"),
    # A corpus of version 2 lacks nothing but the id; one table alone is not one.
    (raw("CREATE TABLE articles (url TEXT); PRAGMA user_version = 2;"), "it holds tables articles"),
    (raw("PRAGMA application_id = 1234; PRAGMA user_version = 0;"),
     "it holds no tables; application_id 1234"),
    (raw("PRAGMA user_version = 999;"), "it holds no tables; user_version 999"),
    (raw("CREATE VIEW answer AS SELECT 42;"), "it holds views answer"),
]


@pytest.mark.parametrize("readonly", [False, True], ids=["writer", "reader"])
@pytest.mark.parametrize(("make", "holds"), NOT_CORPORA)
def test_another_applications_database_is_refused_untouched(tmp_path: Path, make, holds,
                                                           readonly: bool) -> None:
    path = tmp_path / "their.db"
    make(path)
    before, files = sha256(path), listing(tmp_path)
    with pytest.raises(StorageError) as error:
        Corpus(path, readonly=readonly)
    assert str(error.value) == f"{path} is not a corpus of this crawler ({holds})"
    assert sha256(path) == before
    assert listing(tmp_path) == files  # no -wal, no -shm


@pytest.mark.parametrize("readonly", [False, True], ids=["writer", "reader"])
@pytest.mark.parametrize("content", [b"my notes, not a database\n" * 50, os.urandom(8192),
                                     b"x"], ids=["text", "random", "one byte"])
def test_a_file_of_other_bytes_is_refused_untouched(tmp_path: Path, content: bytes,
                                                    readonly: bool) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StorageError) as error:
        Corpus(path, readonly=readonly)
    assert str(error.value) == f"{path} is not a SQLite database"
    assert path.read_bytes() == content
    assert listing(tmp_path) == ["notes.db"]


def test_an_empty_file_is_no_corpus_to_a_reader_and_a_new_one_to_a_writer(tmp_path: Path
                                                                         ) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(StorageError) as error:
        Corpus(path, readonly=True)
    assert str(error.value) == f"{path} holds no corpus"
    assert path.read_bytes() == b"" and listing(tmp_path) == ["empty.db"]
    with pytest.raises(StorageError, match=f"^no corpus at {tmp_path / 'none.db'}$"):
        Corpus(tmp_path / "none.db", readonly=True)
    assert not (tmp_path / "none.db").exists()
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION
    assert pragma(path, "application_id") == APPLICATION_ID


def test_a_new_corpus_carries_the_application_id_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        assert corpus.meta() == {}
        corpus.set_meta("made_by", "a test")
        corpus.set_meta("made_by", "another test")  # a key holds one value
    assert pragma(path, "application_id") == APPLICATION_ID == 0x41724E43
    with Corpus(path, readonly=True) as corpus:
        assert corpus.meta() == {"made_by": "another test"}


@pytest.mark.parametrize("version", [1, 2])
def test_a_corpus_made_before_the_application_id_is_ours_and_marked_on_migration(
        tmp_path: Path, version: int) -> None:
    path = tmp_path / "corpus.db"
    old_corpus(path, version)
    assert pragma(path, "application_id") == 0
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION
        assert corpus.is_known(URL) and corpus.meta() == {}
    assert pragma(path, "application_id") == APPLICATION_ID


def written_by_a_killed_crawl(path: Path) -> None:
    """A crawl that saved an article and was killed: its commit is in the -wal only."""
    script = ("import os, sys\nfrom crawler.storage import Corpus\n"
              "corpus = Corpus(sys.argv[1])\n"
              "corpus.save([{'url': sys.argv[2], 'title': 'killed'}])\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(path), URL + "killed/"], check=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert Path(f"{path}-wal").stat().st_size > 0


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        corpus.save([{"url": URL, "title": "t", "categories": ["لبنان"]}])
        run = corpus.start_run("janoubia", ["https://www.janoubia.com/"])
        corpus.finish_run(run, fetched=1, new=1, finish_reason="finished", exit_status=0)
    assert listing(tmp_path) == ["corpus.db"]  # closed: WAL checkpointed and removed
    return path


def read_everything(corpus: Corpus) -> tuple:
    return (corpus.summary()["articles"], len(corpus.runs()), corpus.counts(), corpus.meta())


def test_a_read_only_corpus_changes_no_byte(corpus_file: Path) -> None:
    before = sha256(corpus_file)
    with Corpus(corpus_file, readonly=True) as corpus:
        assert read_everything(corpus) == (1, 1, {"articles": 1, "aliases": 0, "links": 0}, {})
        assert corpus.db.journal_mode == "wal"
        with pytest.raises(StorageError, match="attempt to write a readonly database"):
            corpus.save([{"url": URL + "new/"}])
        with pytest.raises(StorageError, match="attempt to write a readonly database"):
            corpus.set_meta("made_by", "nobody")
    assert sha256(corpus_file) == before


def test_a_read_only_corpus_reads_what_a_killed_crawl_left_in_the_wal(corpus_file: Path
                                                                       ) -> None:
    written_by_a_killed_crawl(corpus_file)
    wal = Path(f"{corpus_file}-wal")
    before = (sha256(corpus_file), sha256(wal))
    with Corpus(corpus_file, readonly=True) as corpus:
        assert corpus.is_known(URL + "killed/") and corpus.counts()["articles"] == 2
    assert (sha256(corpus_file), sha256(wal)) == before


def test_a_read_only_corpus_beside_a_writer_sees_its_commits(corpus_file: Path) -> None:
    with Corpus(corpus_file) as writer:
        writer.save([{"url": URL + "b/"}])
        before = sha256(corpus_file)
        with Corpus(corpus_file, readonly=True) as reader:
            assert reader.counts()["articles"] == 2
        assert sha256(corpus_file) == before
        writer.save([{"url": URL + "c/"}])  # the reader left the writer able to write


def test_a_read_only_open_never_migrates(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    old_corpus(path, 2)
    before = sha256(path)
    with Corpus(path, readonly=True) as corpus:  # version 2 is read as it is
        assert corpus.schema_version() == 2
        assert read_everything(corpus) == (1, 0, {"articles": 1, "aliases": 0, "links": 0}, {})
    assert sha256(path) == before and pragma(path, "application_id") == 0


def test_a_read_only_open_refuses_version_1_saying_how_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    old_corpus(path, 1)
    before = sha256(path)
    with pytest.raises(StorageError) as error:
        Corpus(path, readonly=True)
    assert str(error.value) == (f"{path}: schema version 1 is too old to read; a crawl into "
                                "it migrates it (`crawler crawl`)")
    assert sha256(path) == before


def test_a_read_only_open_refuses_a_newer_corpus(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    raw(f"PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 99;")(path)
    with pytest.raises(StorageError, match=rf"schema version 99 is newer than this crawler "
                                           rf"\({SCHEMA_VERSION}\)$"):
        Corpus(path, readonly=True)


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder outside pytest's private ones, so that another user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="corpus-"))
    folder.chmod(0o755)
    yield folder
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def without_write_access(folder: Path, read: Callable[[], object]) -> str:
    """``repr(read())``, or the error it raised, in a child process that cannot write
    *folder*: the folder is made read-only, and root's child becomes nobody."""
    folder.chmod(0o555)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(reading)
            if os.getuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            try:
                answer = repr(read())
            except Exception as e:
                answer = f"{type(e).__name__}: {e}"
            os.write(writing, answer.encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    folder.chmod(0o755)
    return answer


def test_a_corpus_in_a_folder_the_reader_cannot_write_is_read(open_folder: Path) -> None:
    path = open_folder / "corpus.db"
    with Corpus(path) as corpus:
        corpus.save([{"url": URL}])
    path.chmod(0o644)
    before = sha256(path)

    def count() -> int:
        with Corpus(path, readonly=True) as corpus:
            return corpus.counts()["articles"]

    assert without_write_access(open_folder, count) == "1"
    assert sha256(path) == before and listing(open_folder) == ["corpus.db"]
