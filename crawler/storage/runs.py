"""The runs of a corpus: one ``runs`` row per run, and one run at a time per corpus
(an exclusive lock on ``<db>.lock`` held for the whole run).

A run's row is written when it starts, committed at once (a killed run leaves its
row with ``finished_at`` NULL), and completed when it ends.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlite_utils.db import NotFoundError

from crawler.errors import RunLocked, StorageError
from crawler.storage.connection import Connection
from crawler.storage.rows import utc_now

# What ``finish`` may set; the rest of a runs row is written by ``start``.
_RUN_RESULTS = ("finished_at", "fetched", "new", "updated", "unchanged", "duplicates", "failed",
                "not_modified", "coverage", "date_failures", "finish_reason", "exit_status")


def _run_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A runs row with its JSON columns decoded."""
    run = dict(row)
    for name in ("start_urls", "coverage"):
        if run.get(name) is not None:
            run[name] = json.loads(run[name])
    return run


class RunHistory:
    """The ``runs`` table of the corpus of *connection*."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.db = connection.db
        self.table = connection.db.table("runs")

    def start(self, profile: str | None, start_urls: Iterable[str]) -> int:
        """Record that a run starts now (committed at once, so a killed run leaves its
        row with ``finished_at`` NULL); return the run's id."""
        values = {"started_at": utc_now(), "profile": profile,
                  "start_urls": json.dumps(list(start_urls), ensure_ascii=False),
                  "pid": os.getpid(), "host": socket.gethostname()}
        with self.connection.transaction("start a run"):
            self.table.insert(values)
        return int(self.table.last_rowid or 0)

    def finish(self, run_id: int, **fields: Any) -> None:
        """Record how run *run_id* ended: any of ``fetched``, ``new``, ``updated``,
        ``unchanged``, ``duplicates``, ``failed``, ``not_modified`` (counts),
        ``coverage`` (a dict), ``date_failures``, ``finish_reason``, ``exit_status``,
        ``finished_at`` (default: now).  Raises TypeError for another field."""
        unknown = sorted(set(fields) - set(_RUN_RESULTS))
        if unknown:
            raise TypeError(f"finish_run() got unknown run fields: {', '.join(unknown)}")
        values = {"finished_at": utc_now(), **fields}
        if values.get("coverage") is not None:
            values["coverage"] = json.dumps(values["coverage"], sort_keys=True)
        self._update(run_id, values)

    def set_exit_status(self, run_id: int, code: int) -> None:
        """Record the exit status of run *run_id*."""
        self._update(run_id, {"exit_status": code})

    def _update(self, run_id: int, values: dict[str, Any]) -> None:
        with self.connection.transaction(f"update of run {run_id}"):
            try:
                self.table.update(run_id, values)
            except NotFoundError:
                raise StorageError(f"{self.connection.path}: no run {run_id}") from None

    def latest(self, limit: int = 20) -> list[dict[str, Any]]:
        """The *limit* latest runs, newest first, as dicts (JSON columns decoded)."""
        with self.connection.errors("read runs"):
            rows = self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit])
            return [_run_dict(row) for row in rows]

    def last_finished(self) -> dict[str, Any] | None:
        """The latest run that recorded its end, or None."""
        with self.connection.errors("read runs"):
            rows = list(self.db.query("SELECT * FROM runs WHERE finished_at IS NOT NULL"
                                      " ORDER BY id DESC LIMIT 1"))
        return _run_dict(rows[0]) if rows else None


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
