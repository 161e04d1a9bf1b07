"""``HostBoundDownloader``: Scrapy's downloader, holding each host to its concurrency.

Scrapy (2.13 and later) starts each download as an asyncio task and counts it against
its slot's concurrency only once the task first runs, on the event loop's next turn.
Until then the slot looks free, so one pass over its queue starts every request
queued there: up to ``CONCURRENT_REQUESTS`` at once on one host, whatever
``CONCURRENT_REQUESTS_PER_DOMAIN`` says (16 against a limit of 8, measured on the
sample site).  Beyond the host's load, the connections over the limit find no room in
the connection pool when they finish and are closed, so a third of the requests paid
for a new connection.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from twisted.internet.defer import Deferred


class HostBoundDownloader(Downloader):
    """Counts a download against its slot as soon as it is taken off the slot's queue."""

    def _wait_for_download(self, slot: Slot, request: Request,
                           queue_dfd: Deferred[Any]) -> Coroutine[Any, Any, None]:
        # Called as the request leaves the queue; its task runs later and adds the request
        # to the same set again (a no-op), and removes it once the download is over.
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
