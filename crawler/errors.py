"""The crawler's own exceptions: narrow, one module, each a one-line message."""

from __future__ import annotations


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
