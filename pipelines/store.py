"""Write items to the corpus database in batched transactions."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.defer import deferred_from_coro

from crawler import settings as defaults
from crawler.errors import NotExported, StorageError
from crawler.items import Article, Fetch
from crawler.storage import Corpus, SaveCounts, is_fetch

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

#: finish_reason of a crawl stopped because the corpus could not be opened or written.
STORAGE_ERROR = "storage_error"



class StorePipeline:
    """Save Article and Fetch items to the corpus at ``CORPUS_DB`` (default ``data/corpus.db``).

    Items are buffered and written ``STORE_BATCH_SIZE`` (default 50) at a time, or
    when the oldest has waited ``STORE_FLUSH_SECONDS`` (default 10: a slow, polite
    crawl killed early keeps what it fetched), each batch in one transaction; the
    rest is written when the spider closes, then links to alias URLs are pointed at
    their articles.  Fetch rows carry the run id found in the ``run/id`` stat (set
    by the run recorder) at write time.
    Once buffered, fetch records and duplicates (``duplicate_of``) go no further:
    they are dropped with ``NotExported`` (logged at DEBUG, counted by Scrapy in
    ``item_dropped_reasons_count/NotExported``), so only the articles stored reach
    ``item_scraped`` and Scrapy's feed exports (``scrapy crawl ... -O FILE``).
    The fetch of an article that another pipeline dropped is still recorded.  If
    the corpus cannot be opened or written, the error is logged once, kept in the
    ``store/error`` stat, and the crawl stops with finish reason ``storage_error``.
    Stats: ``store/inserted``, ``store/updated``, ``store/unchanged``,
    ``store/aliases``, ``store/links``, ``store/duplicates``, ``store/revisions``,
    ``store/fetches``, ``store/links_resolved``.
    """

    crawler: Crawler | None = None

    def __init__(self, stats: StatsCollector, *, path: str = defaults.CORPUS_DB,
                 batch_size: int = defaults.STORE_BATCH_SIZE,
                 flush_seconds: float = defaults.STORE_FLUSH_SECONDS) -> None:
        self.stats = stats
        self.path = path
        self.batch_size = max(1, batch_size)
        self.flush_seconds = flush_seconds
        self.oldest: float | None = None  # when the oldest buffered item came
        self.corpus: Corpus | None = None
        self.buffer: list[dict[str, Any]] = []
        self.failed = False
        self.closing: Deferred[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        """Build the pipeline from the crawl's settings."""
        settings = crawler.settings
        pipeline = cls(
            crawler.stats,
            path=settings.get("CORPUS_DB"),
            batch_size=settings.getint("STORE_BATCH_SIZE"),
            flush_seconds=settings.getfloat("STORE_FLUSH_SECONDS"),
        )
        pipeline.crawler = crawler  # to stop the crawl if a write fails
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        return pipeline

    def open_spider(self) -> None:
        """Open (create, migrate) the corpus, or stop the crawl with ``storage_error``."""
        try:
            self.corpus = Corpus(self.path)
        except StorageError as e:
            self._report(e)
            # Scrapy 2.18+ closes the spider cleanly with this reason.
            raise CloseSpider(STORAGE_ERROR) from e

    def process_item(self, item: Any) -> Any:
        """Buffer *item*; write the buffer when it is full.  Return an article to be
        exported; drop a fetch record or a duplicate, once buffered (``NotExported``)."""
        adapter = ItemAdapter(item)
        if self.failed or self.corpus is None:
            name = adapter.get("url") or adapter.get("requested_url")
            raise DropItem(f"not stored, the corpus is unavailable: {name}", log_level="DEBUG")
        try:
            # Our items hold plain values: a shallow copy is the row, without the
            # recursive walk ItemAdapter.asdict makes over bodies, links and fetches.
            row = dict(item) if isinstance(item, (Article, Fetch)) else adapter.asdict()
            self._add(row)
        except StorageError as e:
            raise DropItem(f"not stored: {e}") from e
        if is_fetch(row):
            raise NotExported(f"fetch record stored: {row['requested_url']}", log_level="DEBUG")
        if row.get("duplicate_of") and row["duplicate_of"] != row.get("url"):
            raise NotExported(f"stored as an alias of {row['duplicate_of']}: {row.get('url')}",
                              log_level="DEBUG")
        return item

    def item_dropped(self, item: Any, exception: BaseException | None = None) -> None:
        """Record the fetch of an article dropped by another pipeline: every fetch is kept."""
        if isinstance(exception, NotExported):
            return  # dropped here, once stored with its fetch
        fetch = item.get("fetch") if isinstance(item, Article) else None
        if not fetch or self.failed or self.corpus is None:
            return
        try:
            self._add(dict(fetch))
        except StorageError:
            pass  # already reported, and the crawl is stopping

    def _add(self, row: dict[str, Any]) -> None:
        """Buffer *row*; write the buffer when it is full (a failure stops the crawl)."""
        self.buffer.append(row)
        now = time.monotonic()
        self.oldest = self.oldest or now
        if len(self.buffer) >= self.batch_size or now - self.oldest >= self.flush_seconds:
            try:
                self.flush()
            except StorageError as e:
                self._fail(e)
                raise

    def flush(self) -> SaveCounts:
        """Write the buffered items in one transaction and count what was done."""
        assert self.corpus is not None
        batch, self.buffer, self.oldest = self.buffer, [], None
        counts = self.corpus.save(batch, run_id=self.stats.get_value("run/id"))
        for name, value in counts.as_dict().items():
            self.stats.inc_value(f"store/{name}", value)
        return counts

    def close_spider(self) -> None:
        """Write what is left, resolve links to aliases and close the corpus."""
        if self.corpus is None:
            return
        try:
            if not self.failed:
                self.flush()
                self.stats.set_value("store/links_resolved", self.corpus.resolve_links())
        except StorageError as e:
            self._report(e)
        finally:
            self.corpus.close()
            self.corpus = None

    def _report(self, error: StorageError) -> None:
        logger.error("%s", error)
        self.stats.set_value("store/error", str(error))

    def _fail(self, error: StorageError) -> None:
        """Log the error once and ask the engine to stop the crawl."""
        self.failed = True
        self._report(error)
        if self.crawler is not None and self.crawler.crawling:
            # Scheduled, not awaited: the engine waits for this item before closing.
            self.closing = deferred_from_coro(
                self.crawler.engine.close_spider_async(reason=STORAGE_ERROR)
            )
