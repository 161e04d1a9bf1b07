"""One open corpus file: SQLite's errors as one-line StorageErrors, and write transactions.

Every batch of items is written in one ``BEGIN IMMEDIATE`` transaction, so a crawl
killed half-way leaves the file as it was after the last complete batch.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import sqlite_utils

from crawler.errors import StorageError


@contextmanager
def sqlite_errors(path: Path, operation: str) -> Iterator[None]:
    """Turn sqlite3 errors into one-line StorageErrors naming the file and operation."""
    try:
        yield
    except sqlite3.Error as e:
        if getattr(e, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise StorageError(f"{path} is not a SQLite database") from e
        raise StorageError(f"{path}: {operation} failed: {e}") from e


class Connection:
    """The open database *db* of the corpus at *path*, shared by the parts of a Corpus."""

    def __init__(self, path: Path, db: sqlite_utils.Database) -> None:
        self.path = path
        self.db = db

    def errors(self, operation: str) -> AbstractContextManager[None]:
        """A context in which sqlite3 errors become StorageErrors about *operation*."""
        return sqlite_errors(self.path, operation)

    @contextmanager
    def transaction(self, operation: str) -> Iterator[None]:
        """One write transaction: committed at the end, rolled back on any error."""
        with sqlite_errors(self.path, operation):
            # IMMEDIATE takes the write lock up front, so a concurrent writer
            # waits (busy_timeout) instead of failing half-way through a batch.
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.conn.execute("COMMIT")
            except BaseException:
                self.db.rollback()
                raise

    def schema_version(self) -> int:
        """The schema version of the file (``PRAGMA user_version``)."""
        with sqlite_errors(self.path, "read schema version"):
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])
