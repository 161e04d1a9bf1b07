"""Reading a SQLite file without writing to it: what it holds, and read-only connections.

A read-only connection never changes the database file.  On a database in WAL
mode SQLite still makes its ``-wal`` and ``-shm`` side files when they are
missing (readers share the WAL index through them), and a read-only connection
cannot remove them; the next writer to close does.  ``inspect`` makes none.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from crawler.errors import NotADatabase

SIDE_FILES = ("-wal", "-shm", "-journal")
HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Contents:
    """What a SQLite file holds: its ``application_id`` and ``user_version``
    pragmas and the names of its tables and views (SQLite's own left out)."""

    application_id: int
    user_version: int
    tables: tuple[str, ...]
    views: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True for a file with nothing in it: no schema object, both pragmas 0."""
        return not (self.application_id or self.user_version or self.tables or self.views)

    def describe(self) -> str:
        """What the file holds, in a few words: ``it holds tables notes, tags; views v``."""
        if not self.tables and not self.views:
            marks = [f"{name} {value}" for name, value in (
                ("application_id", self.application_id), ("user_version", self.user_version))
                if value]
            return "it holds no tables" + "".join(f"; {mark}" for mark in marks)
        kinds = [f"{kind} {_listed(names)}" for kind, names in (("tables", self.tables),
                                                                ("views", self.views)) if names]
        return "it holds " + "; ".join(kinds)


def _listed(names: tuple[str, ...], most: int = 6) -> str:
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


def side_files(path: Path) -> list[Path]:
    """The side files SQLite keeps beside the database *path* that exist now."""
    return [p for p in (Path(f"{path}{suffix}") for suffix in SIDE_FILES) if p.exists()]


def connect_readonly(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    """A read-only connection to the existing file *path* (``mode=ro``); *immutable*
    reads the file alone, without locks, side files or the WAL."""
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


def inspect(path: Path) -> Contents:
    """What the existing file *path* holds, read without writing to it or beside it.

    A file without side files is the whole database, so it is read as immutable,
    which makes none (a moment's read: a writer starting meanwhile at worst makes
    it fail).  Raises sqlite3.Error (``SQLITE_NOTADB`` for a file of other bytes).
    """
    if not path.is_file():  # a FIFO would block the read below for ever
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with path.open("rb") as file:
        start = file.read(len(HEADER))
    if start and start != HEADER:
        raise NotADatabase("file is not a database")
    conn = connect_readonly(path, immutable=not side_files(path.resolve()))
    try:
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = conn.execute("SELECT type, name FROM sqlite_master WHERE type IN"
                               " ('table', 'view') AND name NOT LIKE 'sqlite^_%' ESCAPE '^'"
                               " ORDER BY name").fetchall()
    finally:
        conn.close()
    return Contents(application_id, user_version,
                    tables=tuple(name for kind, name in objects if kind == "table"),
                    views=tuple(name for kind, name in objects if kind == "view"))


# How SQLite says it cannot make a WAL database's side files beside it.
_READONLY_PLACE = ("SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN")


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection to the existing database *path*, checked by a first read.

    In a folder this process cannot write (or on a read-only file system), a WAL
    database whose side files are missing cannot be opened the usual way (SQLite
    cannot make them); no writer is at work on it then (it would have made them),
    so it is read as immutable.
    """
    conn = connect_readonly(path)
    try:
        conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.Error as e:
        conn.close()
        if getattr(e, "sqlite_errorname", "") not in _READONLY_PLACE \
                or side_files(path.resolve()):
            raise
        conn = connect_readonly(path, immutable=True)
    return conn
