"""One run at a time per corpus: an exclusive lock on ``<db>.lock`` held for the whole run."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from crawler.errors import RunLocked, StorageError


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``<db_path>.lock``, holding this process's pid.

    Entering raises RunLocked at once when another run holds the lock.  The lock
    goes with the open file: released on exit, and by the operating system when
    the process dies, even by SIGKILL, so a stale lock file never blocks a run.
    The file itself stays: removing it would let two runs lock two different files.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock and write this process's pid into the file, or raise RunLocked."""
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Not inherited by child processes (Python opens files non-inheritable).
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StorageError(f"{self.path}: cannot open the lock file: {e.strerror}") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise RunLocked(f"another run holds {self.path} (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Let the lock go (the pid stays in the file, for the record)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_pid(fd: int) -> str:
    """The pid the holder wrote, or ``?`` if it has not written it yet."""
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return text if text.isdigit() else "?"
