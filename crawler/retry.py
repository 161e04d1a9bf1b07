"""Retries that wait: exponential backoff, and ``Retry-After`` when the server names it.

Scrapy's own retry middleware sends a retried request straight back to the
scheduler; a site that answers 503 or 429 because it is overloaded gets hit again at
once.  This subclass waits first: ``Retry-After`` (seconds or an HTTP date, capped at
``RETRY_AFTER_MAX``) when the response carries one, else ``RETRY_BACKOFF_BASE`` x 2^n
seconds (capped at ``RETRY_BACKOFF_MAX``) before the n-th retry.  Other requests go on
meanwhile: only the retried one waits, and no longer than until the crawl starts to
close (``crawler.quickstop``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.base import DelayedCall
from twisted.internet.defer import Deferred

from crawler import settings as defaults
from crawler.quickstop import crawl_stopping


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date).

    >>> retry_after_seconds(b"3")
    3.0
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:05 GMT",
    ...                     datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC))
    5.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting before each retry (see the module docstring).

    Settings: Scrapy's ``RETRY_*``, plus ``RETRY_BACKOFF_BASE`` (default 0.5 s),
    ``RETRY_BACKOFF_MAX`` (default 30 s), ``RETRY_AFTER_MAX`` (default 120 s).
    """

    def __init__(self, settings, *, base: float = defaults.RETRY_BACKOFF_BASE,
                 cap: float = defaults.RETRY_BACKOFF_MAX,
                 after_cap: float = defaults.RETRY_AFTER_MAX):
        super().__init__(settings)
        self.base, self.cap, self.after_cap = base, cap, after_cap
        self.waits: set[DelayedCall] = set()
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        settings = crawler.settings
        mw = cls(settings, base=settings.getfloat("RETRY_BACKOFF_BASE"),
                 cap=settings.getfloat("RETRY_BACKOFF_MAX"),
                 after_cap=settings.getfloat("RETRY_AFTER_MAX"))
        mw.crawler = crawler
        crawler.signals.connect(mw.end_waits, signal=crawl_stopping)
        return mw

    def delay(self, retry: Request, response: Response | None = None) -> float:
        """Seconds to wait before sending *retry*."""
        if response is not None:
            named = retry_after_seconds(response.headers.get(b"Retry-After"))
            if named is not None:
                return min(named, self.after_cap)
        attempt = max(1, retry.meta.get("retry_times", 1))
        return min(self.base * 2 ** (attempt - 1), self.cap)

    async def wait(self, seconds: float) -> None:
        """Wait *seconds* before a retry, or less if the crawl starts closing."""
        if seconds <= 0 or self.stopping:
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("retry/waited_ms", int(seconds * 1000))
        done: Deferred[None] = Deferred()
        call: DelayedCall = reactor.callLater(seconds, done.callback, None)  # type: ignore
        self.waits.add(call)
        try:
            await maybe_deferred_to_future(done)
        finally:
            self.waits.discard(call)

    def end_waits(self) -> None:
        """The crawl is closing: every retry waiting goes now (the engine drops it)."""
        self.stopping = True
        for call in list(self.waits):
            if call.active():
                call.reset(0)

    async def process_response(self, request: Request,  # type: ignore[override]
                               response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self.wait(self.delay(result, response))
        return result

    async def process_exception(self, request: Request,  # type: ignore[override]
                                exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self.wait(self.delay(result))
        return result
