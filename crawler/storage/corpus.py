"""``Corpus``: the corpus file opened read-write (created and migrated) or read-only.

A Corpus checks the file is one (``identity``) before it opens it, then composes
the parts that do the work on one connection: ``Writer`` (``writes``), ``Queries``
(``queries``), ``RunHistory`` (``runs``) and the summary.  Their methods are the
Corpus's own, as listed in the class, so callers need the Corpus alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlite_utils

from crawler.storage import identity
from crawler.storage.connection import Connection, sqlite_errors
from crawler.storage.files import open_readonly
from crawler.storage.queries import Queries
from crawler.storage.runs import RunHistory
from crawler.storage.schema import migrate
from crawler.storage.summary import summarise
from crawler.storage.writes import Writer

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _part(attribute: str, method: Callable[Concatenate[Any, _P], _R]
          ) -> Callable[Concatenate[Corpus, _P], _R]:
    """A Corpus method that calls *method* on the part the Corpus holds as *attribute*."""
    @functools.wraps(method)
    def call(corpus: Corpus, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        return method(getattr(corpus, attribute), *args, **kwargs)
    return call


class Corpus:
    """The corpus SQLite file: open (creating and migrating it), save, read, close.

    *timeout* is how many seconds a write waits for another writer's lock.  With
    *readonly*, an existing corpus is opened read-only: never created, migrated or
    changed.  Raises StorageError when the file cannot be opened, is not a SQLite
    database, is not a corpus (another application's database; or, read-only, an
    empty file), or has a schema newer than this code.  Usable as a context manager.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0,
                 readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            identity.check_readable(self.path)
            with sqlite_errors(self.path, "open"):
                self.db = sqlite_utils.Database(open_readonly(self.path))
        else:
            identity.check_writable(self.path)
            with sqlite_errors(self.path, "open"):
                self.db = sqlite_utils.Database(self.path)
        self.connection = Connection(self.path, self.db)
        try:
            self._prepare(timeout)
        except BaseException:
            self.db.close()
            raise
        self.writer = Writer(self.connection)
        self.queries = Queries(self.connection)
        self.history = RunHistory(self.connection)

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _prepare(self, timeout: float) -> None:
        with sqlite_errors(self.path, "open"):
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if self.readonly:
                return
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
        migrate(self.connection)

    @staticmethod
    def check_file(path: str | Path) -> None:
        """Raise StorageError unless the file at *path* is missing, empty or a corpus this
        code can open; only its header and schema are read, nothing is written."""
        identity.check_file(Path(path))

    def schema_version(self) -> int:
        """The schema version of the file (``PRAGMA user_version``)."""
        return self.connection.schema_version()

    def summary(self) -> dict[str, Any]:
        """Figures of the whole corpus (``summary.summarise``)."""
        return summarise(self.connection)

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()

    # The write path (writes.py).
    save = _part("writer", Writer.save)
    resolve_links = _part("writer", Writer.resolve_links)
    set_meta = _part("writer", Writer.set_meta)

    # What the crawl reads (queries.py).
    is_known = _part("queries", Queries.is_known)
    fetched_at = _part("queries", Queries.fetched_at)
    pending_urls = _part("queries", Queries.pending_urls)
    chain_ends = _part("queries", Queries.chain_ends)
    validators = _part("queries", Queries.validators)
    stored_links = _part("queries", Queries.stored_links)
    copies_of = _part("queries", Queries.copies_of)
    count_hashes = _part("queries", Queries.count_hashes)
    raw_body = _part("queries", Queries.raw_body)
    counts = _part("queries", Queries.counts)
    meta = _part("queries", Queries.meta)

    # The runs table (runs.py).
    start_run = _part("history", RunHistory.start)
    finish_run = _part("history", RunHistory.finish)
    set_exit_status = _part("history", RunHistory.set_exit_status)
    runs = _part("history", RunHistory.latest)
    last_finished_run = _part("history", RunHistory.last_finished)
