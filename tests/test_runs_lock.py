"""The run lock: one run at a time per corpus, across real processes, even after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.errors import CrawlerError, DegradedRun, RunLocked, StorageError
from crawler.runs import RunLock

REPO = Path(__file__).resolve().parents[1]

HOLD = """
import sys
from crawler.runs import RunLock
with RunLock(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes the pipe, or kills this process
"""

TRY = """
import sys
from crawler.errors import RunLocked
from crawler.runs import RunLock
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
