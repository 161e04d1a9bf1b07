"""The runs of a corpus: run rows recorded from start to exit, and the run lock: one run
at a time per corpus, across real processes, even after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.errors import CrawlerError, DegradedRun, RunLocked, StorageError
from crawler.storage import Corpus, RunLock
from tests.storage_items import SITE

REPO = Path(__file__).resolve().parents[1]

HOLD = """
import sys
from crawler.storage import RunLock
with RunLock(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes the pipe, or kills this process
"""

TRY = """
import sys
from crawler.errors import RunLocked
from crawler.storage import RunLock
try:
    with RunLock(sys.argv[1]):
        print("acquired")
except RunLocked as error:
    print(error)
    sys.exit(error.exit_code)
"""


def python(script: str, db: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", script, str(db)], env=env, text=True,
                            stdout=subprocess.PIPE, **kwargs)


def hold(db: Path) -> subprocess.Popen:
    """A child process that holds the lock until its stdin closes."""
    holder = python(HOLD, db, stdin=subprocess.PIPE)
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n"
    return holder


def attempt(db: Path) -> tuple[int, str, float]:
    """Exit code, output and duration of another process trying to take the lock."""
    started = time.monotonic()
    child = python(TRY, db)
    output, _ = child.communicate(timeout=30)
    return child.returncode, output.strip(), time.monotonic() - started


def test_a_second_process_fails_at_once_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    holder = hold(db)
    try:
        code, output, seconds = attempt(db)
        assert code == 4
        assert output == f"another run holds {db}.lock (pid {holder.pid})"
        assert seconds < 10  # it does not wait for the holder
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert attempt(db)[:2] == (0, "acquired")


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    holder = hold(db)
    assert attempt(db)[0] == 4
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    holder.stdout.close()
    assert (tmp_path / "corpus.db.lock").exists()  # left behind, and harmless
    assert attempt(db)[:2] == (0, "acquired")


def test_lock_file_holds_the_pid_and_is_released_on_exit(tmp_path: Path) -> None:
    db = tmp_path / "data" / "corpus.db"
    lock = RunLock(db)
    assert lock.path == tmp_path / "data" / "corpus.db.lock" and not lock.held
    with lock:
        assert lock.held
        assert lock.path.read_text() == f"{os.getpid()}\n"
        # flock belongs to the open file: a second opening conflicts, even in this process.
        with pytest.raises(RunLocked, match=rf"\(pid {os.getpid()}\)$") as error:
            RunLock(db).acquire()
        assert error.value.exit_code == 4
    assert not lock.held
    with RunLock(db) as again:
        assert again.held
    lock.release()  # releasing twice is harmless


def test_an_unusable_lock_folder_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(StorageError, match="cannot open the lock file"):
        RunLock(tmp_path / "blocker" / "corpus.db").acquire()


def test_exit_codes() -> None:
    assert issubclass(RunLocked, CrawlerError) and RunLocked.exit_code == 4
    assert issubclass(DegradedRun, CrawlerError) and DegradedRun.exit_code == 5


# -- run rows ---------------------------------------------------------------------------





def test_a_run_is_recorded_from_start_to_exit(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        assert corpus.last_finished_run() is None
        first = corpus.start_run("janoubia", [SITE + "/"])
    with Corpus(path) as corpus:  # committed at once: another connection sees it
        (run,) = corpus.runs()
        assert run["id"] == first and run["finished_at"] is None
        assert run["profile"] == "janoubia" and run["start_urls"] == [SITE + "/"]
        assert run["pid"] > 0 and run["host"] and run["started_at"] > "2024"
        corpus.finish_run(first, fetched=12, new=3, updated=1, unchanged=8, duplicates=0,
                          failed=1, not_modified=4, date_failures=0, finish_reason="finished",
                          coverage={"title": 1.0, "author": 0.5})
        corpus.set_exit_status(first, 0)
        second = corpus.start_run("wordpress", [])
        runs = corpus.runs()
        assert [r["id"] for r in runs] == [second, first]
        done = corpus.last_finished_run()
    assert done is not None and done == runs[1]
    assert done["finished_at"] >= done["started_at"]
    assert done["coverage"] == {"author": 0.5, "title": 1.0}
    assert (done["new"], done["not_modified"], done["exit_status"]) == (3, 4, 0)
    with Corpus(path) as corpus:
        assert len(corpus.runs(limit=1)) == 1



def test_run_updates_are_checked(corpus: Corpus) -> None:
    run_id = corpus.start_run("wordpress", [])
    with pytest.raises(TypeError, match="unknown run fields: pid, profit"):
        corpus.finish_run(run_id, profit=1, pid=2)
    with pytest.raises(StorageError, match="no run 99"):
        corpus.set_exit_status(99, 1)
    corpus.finish_run(run_id, finished_at="2030-01-01T00:00:00+00:00", coverage=None)
    assert corpus.runs()[0]["finished_at"] == "2030-01-01T00:00:00+00:00"
    assert not corpus.db.conn.in_transaction

