"""What the ``fetches`` table keeps of a response: the provenance of every page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response


def now() -> str:
    """The current time, ISO 8601 in UTC, seconds precision."""
    return datetime.now(UTC).isoformat(timespec="seconds")


#: The HTTP statuses that redirect.
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: Meta key of a request the spider made for a redirect's target itself (a shortlink's):
#: the redirecting URLs, as Scrapy's own ``redirect_urls`` (which it keeps to itself).
REDIRECTED_FROM = "redirected_from"


def redirected_from(meta: dict) -> list[str]:
    """The URLs that redirected to the request with *meta*, first first."""
    return list(meta.get(REDIRECTED_FROM) or []) + list(meta.get("redirect_urls") or [])


def fetch_record(response: Response, request: scrapy.Request | None = None) -> dict:
    """What the ``fetches`` table keeps of one response (the body goes in compressed)."""
    request = request or response.request
    meta = request.meta if request is not None else {}
    redirects = redirected_from(meta)
    headers = response.headers
    return {
        "requested_url": redirects[0] if redirects else (request.url if request else response.url),
        "final_url": response.url,
        "status": response.status,
        "etag": _header(headers, b"ETag"),
        "last_modified": _header(headers, b"Last-Modified"),
        "content_type": _header(headers, b"Content-Type"),
        "body": response.body if response.status != 304 else None,
        "link_role": meta.get("link_role"),
        "link_src": meta.get("link_src"),
        "fetched_at": now(),
    }


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
