"""Items as table rows: the columns an Article or Fetch item fills, and how.

Pure functions of the item: no database here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from crawler.errors import StorageError
from crawler.shortlinks import shortlink_query

# Article fields written as they come, then the JSON-array ones.
PLAIN = ("title", "author", "published", "published_raw", "modified", "body", "language",
         "word_count", "content_hash", "status", "profile", "fetched_at")
JSON = ("categories", "tags")
#: The ``articles`` columns an item fills (``first_seen`` and ``last_seen`` are the save's).
ARTICLE_COLUMNS = ("url", *PLAIN, *JSON)
#: Fields of a fetch rather than of the article: they change without the article changing.
FETCH_ONLY = frozenset({"url", "status", "fetched_at"})
#: The article fields whose change makes a save an update.
COMPARED = tuple(c for c in ARTICLE_COLUMNS if c not in FETCH_ONLY)
#: A change in these is a new version of the article; the old one goes to ``revisions``.
REVISED = ("content_hash", "published")
REVISION_COLUMNS = ("title", "author", "published", "modified", "categories", "tags", "body",
                    "content_hash")
FETCH_COLUMNS = ("requested_url", "final_url", "status", "etag", "last_modified",
                 "content_type", "link_role", "link_src", "fetched_at", "error")


def utc_now() -> str:
    """The current time as the corpus stores times: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_fetch(item: Mapping[str, Any]) -> bool:
    """True for a Fetch item: it has a ``requested_url`` and no ``url``."""
    return "url" not in item and "requested_url" in item


def item_name(item: Mapping[str, Any]) -> Any:
    """How an error names *item*: its URL, or the URL its fetch requested."""
    return item.get("url") if not is_fetch(item) else f"fetch of {item.get('requested_url')}"


def alias_entries(aliases: Iterable[Any] | None) -> Iterator[tuple[str, str]]:
    """``(url, reason)`` pairs from plain URLs or ``{"url", "reason"}`` dicts."""
    for alias in aliases or ():
        if isinstance(alias, Mapping):
            url, reason = alias.get("url"), alias.get("reason")
        else:
            url, reason = alias, None
        if url:
            query = url.partition("?")[2].partition("#")[0]
            yield url, reason or ("shortlink" if shortlink_query(query) else "redirect")


def article_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """The ``articles`` columns of *item*, lists as JSON text."""
    if not item.get("url"):
        raise StorageError("cannot save an item without a url")
    row = {name: item.get(name) for name in ("url", *PLAIN)}
    for name in JSON:
        row[name] = json.dumps(list(item.get(name) or ()), ensure_ascii=False)
    return row


def fetch_row(fetch: Mapping[str, Any], now: str, run_id: int | None) -> dict[str, Any]:
    """The ``fetches`` columns of a Fetch item or an Article's ``fetch``, but the digest;
    fetched *now* unless it says when, by run *run_id*."""
    if not fetch.get("requested_url"):
        raise StorageError("cannot save a fetch without a requested_url")
    row = {name: fetch.get(name) for name in FETCH_COLUMNS}
    row["fetched_at"] = row["fetched_at"] or now
    row["run_id"] = run_id
    return row


def kept_body(fetch: Mapping[str, Any]) -> bytes | None:
    """The body worth keeping: none for a failure or a 304 (an error page is not the page)."""
    body = fetch.get("body")
    if not body or fetch.get("error") or fetch.get("status") == 304:
        return None
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)
