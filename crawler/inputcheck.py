"""Settings checked before a crawl starts: names that exist, values of the right kind.

``crawler crawl`` refuses bad input with one line and exit 2 (``UsageError``); under
``scrapy crawl`` and scrapyd the spider logs the same line and the crawl closes with
finish reason ``bad_setting`` (see ``spiders/article.py``).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scrapy.settings import BaseSettings, default_settings

from crawler import settings as ours
from crawler.errors import UsageError

# Settings whose values are checked, by kind.
WHOLE_NUMBERS = ("STORE_BATCH_SIZE", "VALIDATE_MIN_WORDS", "INCREMENTAL_KNOWN_STREAK",
                 "BRIDGE_MAX_PAGES", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
                 "RETRY_TIMES", "DOWNLOAD_MAXSIZE", "CLOSESPIDER_PAGECOUNT",
                 "CLOSESPIDER_ITEMCOUNT", "DISCOVERY_ARCHIVE_MAX_PAGES",
                 "PARSE_WORKERS", "CONCURRENT_ITEMS", "GC_THRESHOLD", "UNREACHABLE_AFTER")
NUMBERS = ("DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT", "AUTOTHROTTLE_START_DELAY",
           "AUTOTHROTTLE_MAX_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY", "RETRY_BACKOFF_BASE",
           "RETRY_BACKOFF_MAX", "RETRY_AFTER_MAX", "RUNS_MAX_ERROR_SHARE",
           "RUNS_MIN_COVERAGE_RATIO", "PROGRESS_INTERVAL", "CLOSESPIDER_TIMEOUT",
           "STORE_FLUSH_SECONDS", "LOGSTATS_INTERVAL", "QUICKSTOP_INTERVAL")
SWITCHES = ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "INCREMENTAL_ENABLED", "RUNS_ENABLED",
            "PROGRESS_ENABLED", "COOKIES_ENABLED", "DISCOVERY_SITEMAPS", "DISCOVERY_FEEDS",
            "DISCOVERY_ARCHIVES", "ENCODING_ENABLED", "INTEGRITY_ENABLED")


@cache
def known_settings() -> frozenset[str]:
    """Every setting name Scrapy defines, and every one of this crawler's."""
    return frozenset(name for module in (default_settings, ours) for name in dir(module)
                     if name.isupper() and not name.startswith("_"))


def unknown_setting(name: str) -> str | None:
    """Why *name* is no setting (with the nearest real name), or None if it is one.

    >>> unknown_setting("CONCURENT_REQUESTS")
    'unknown setting CONCURENT_REQUESTS: did you mean CONCURRENT_REQUESTS?'
    >>> unknown_setting("DOWNLOAD_DELAY") is None
    True
    """
    known = known_settings()
    if name in known:
        return None
    near = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.75)
    if near:
        return f"unknown setting {name}: did you mean {near[0]}?"
    return (f"unknown setting {name}: neither a Scrapy setting nor one of this crawler's "
            "(README, Settings)")


def check_names(names: Iterable[str]) -> None:
    """Refuse the first name that is no setting (``UsageError``)."""
    for name in names:
        why = unknown_setting(name)
        if why:
            raise UsageError(why)


def check_values(settings: BaseSettings, given: Iterable[str] = ()) -> None:
    """Refuse setting values the crawl could only fail on later (one clear line);
    *given* names settings set by the user, checked against their default's kind."""
    problem = next(iter(bad_values(settings, given)), None)
    if problem:
        raise UsageError(problem[1])


def bad_values(settings: BaseSettings, given: Iterable[str] = ()) -> Iterable[tuple[str, str]]:
    """``(name, why)`` of every setting whose value is of the wrong kind, each once:
    ours and the common Scrapy ones always, each of *given* by the kind of its default."""
    seen: set[str] = set()
    for name, why in _bad_values(settings, given):
        if name not in seen:
            seen.add(name)
            yield name, why


def _bad_values(settings: BaseSettings, given: Iterable[str]) -> Iterable[tuple[str, str]]:
    yield from _bad_logging(settings)
    for name in given:
        found = _kind_of(name)
        why = _misread(getattr(settings, found[0]), name, found[1], settings) if found else None
        if why:
            yield name, why
    zone = settings.get("SITE_TIMEZONE")
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            yield "SITE_TIMEZONE", f"SITE_TIMEZONE: unknown time zone {zone!r}"
    for name in SWITCHES:
        why = _misread(settings.getbool, name, "True or False (1 or 0)", settings)
        if why:
            yield name, why
    for names, read, kind in ((WHOLE_NUMBERS, settings.getint, "a whole number"),
                              (NUMBERS, settings.getfloat, "a number")):
        for name in names:
            why = _misread(read, name, kind, settings) or _negative(read, name, kind, settings)
            if why:
                yield name, why


def _misread(read: Callable[[str], Any], name: str, kind: str,
             settings: BaseSettings) -> str | None:
    try:
        read(name)
    except (ValueError, TypeError):
        return f"{name}: expected {kind}, got {settings.get(name)!r}"
    return None


def _negative(read: Callable[[str], Any], name: str, kind: str,
              settings: BaseSettings) -> str | None:
    if read(name) < 0:
        return f"{name}: expected {kind} of at least 0, got {settings.get(name)!r}"
    return None


_KINDS: tuple[tuple[type, str, str], ...] = (
    (bool, "getbool", "True or False (1 or 0)"), (int, "getint", "a whole number"),
    (float, "getfloat", "a number"), (dict, "getdict", "a JSON object"),
    (list, "getlist", "a list"), (tuple, "getlist", "a list"))


def _kind_of(name: str) -> tuple[str, str] | None:
    default = default_value(name)
    for cls, method, kind in _KINDS:  # bool before int: True is an int too
        if isinstance(default, cls):
            return method, kind
    return None


def _bad_logging(settings: BaseSettings) -> Iterable[tuple[str, str]]:
    level = settings.get("LOG_LEVEL")
    if isinstance(level, str) and level not in logging.getLevelNamesMapping():
        yield "LOG_LEVEL", (f"LOG_LEVEL: expected one of CRITICAL, ERROR, WARNING, INFO, "
                            f"DEBUG, got {level!r}")
    log_file = settings.get("LOG_FILE")
    if log_file and not Path(log_file).parent.is_dir():
        yield "LOG_FILE", f"LOG_FILE: no folder {str(Path(log_file).parent)!r} to write it in"


def default_value(name: str) -> Any:
    """The value *name* has when nobody sets it: this crawler's default, else Scrapy's."""
    return getattr(ours, name, getattr(default_settings, name, None))
