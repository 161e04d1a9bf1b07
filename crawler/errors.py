"""The crawler's own exceptions: narrow, one module, each a one-line message."""

from __future__ import annotations

import sqlite3

from scrapy.exceptions import DropItem, IgnoreRequest


class CrawlerError(Exception):
    """Base class: an error the CLI reports as one line with a non-zero exit."""

    exit_code = 1


class UsageError(CrawlerError):
    """Bad input from the user: arguments, URLs or setting values."""

    exit_code = 2


class UnknownProfile(UsageError):
    """No site profile has the requested name."""


class BadStartURL(UsageError):
    """A start URL is not an absolute http(s) URL."""


class StorageError(CrawlerError):
    """The corpus database cannot be opened, migrated or written."""

    exit_code = 3


class RunLocked(CrawlerError):
    """Another run holds the corpus's lock file."""

    exit_code = 4


class DegradedRun(CrawlerError):
    """The run finished, but its errors, new articles or field coverage say the site broke."""

    exit_code = 5


class NotADatabase(sqlite3.DatabaseError):
    """A file that does not begin as a SQLite database does, which SQLite may read as
    an empty database (a file of one byte) and write over."""

    sqlite_errorname = "SQLITE_NOTADB"


class CrawlStopping(IgnoreRequest):
    """A request the crawl dropped unsent because it is closing."""


class HostUnreachable(IgnoreRequest):
    """A request to a host this crawl found it cannot reach, failed without a try."""


class NotExported(DropItem):
    """An item stored that is no article of the crawl's output: a fetch record, or a
    duplicate kept as an alias of the article it copies."""
