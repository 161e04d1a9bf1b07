"""Conditional GET as RFC 9110 (section 13) has it: entity tags and modification dates."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime


def etag_of(body: bytes) -> str:
    """A strong entity tag: the quoted start of the body's SHA-256.

    >>> etag_of(b"")
    '"e3b0c44298fc1c149afbf4c8996fb924"'
    """
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(moment: datetime) -> str:
    """*moment* as an HTTP date (IMF-fixdate, GMT).

    >>> http_date(datetime(2017, 9, 12, 10, 5, tzinfo=UTC))
    'Tue, 12 Sep 2017 10:05:00 GMT'
    """
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def not_modified(if_none_match: str | None, if_modified_since: str | None,
                 etag: str, last_modified: datetime | None) -> bool:
    """True when a GET with these request headers gets 304 Not Modified.

    If-None-Match, when present, decides alone; If-Modified-Since counts only
    without it, and an unparsable date is ignored.

    >>> not_modified('"a", W/"b"', None, '"b"', None)
    True
    >>> not_modified('"a"', "Tue, 12 Sep 2037 10:05:00 GMT", '"b"',
    ...              datetime(2017, 9, 12, tzinfo=UTC))
    False
    """
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if if_modified_since is None or last_modified is None:
        return False
    since = parse_http_date(if_modified_since)
    return since is not None and last_modified.replace(microsecond=0) <= since


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of *etag* with an If-None-Match list (``*`` matches any).

    >>> etag_matches('W/"x"', '"x"'), etag_matches('"y", "z"', '"x"'), etag_matches("*", '"x"')
    (True, False, True)
    """
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def parse_http_date(text: str) -> datetime | None:
    """An HTTP date as an aware datetime, or None when it is not one.

    >>> parse_http_date("Tue, 12 Sep 2017 10:05:00 GMT").isoformat()
    '2017-09-12T10:05:00+00:00'
    >>> parse_http_date("yesterday") is None
    True
    """
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
