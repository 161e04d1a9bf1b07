"""Extensions that record each run in the corpus and run Python's garbage collector
less often while it does (the progress line is ``crawler.progress``)."""

from __future__ import annotations

import gc
import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from crawler.errors import RunLocked, StorageError
from crawler.items import Article
from crawler.outcome import Thresholds, exit_status
from crawler.storage import Corpus, RunLock

logger = logging.getLogger(__name__)
COVERED_FIELDS = ("title", "author", "published", "body")


class RunRecorder:
    """Writes one ``runs`` row per crawl: inserted (and committed) when the spider opens,
    so a killed run leaves its trace; completed with counts, field coverage and finish
    reason when it closes.  Sets the ``run/id`` stat that the store pipeline reads.

    It also holds the database's run lock for the crawl, so ``scrapy crawl`` and
    scrapyd jobs cannot run two crawls on one corpus either: a crawl that finds the
    lock taken closes at once with finish reason ``locked``.  (``crawler crawl`` takes
    the lock itself before Scrapy starts and says so with ``RUNS_LOCK_HELD``.)

    Settings: ``CORPUS_DB``; ``RUNS_ENABLED`` (default True).
    """

    def __init__(self, path: str, stats: StatsCollector, crawler: Crawler | None = None,
                 lock_held: bool = False, limits: Thresholds | None = None):
        self.path = path
        self.limits = limits or Thresholds()
        self.stats = stats
        self.crawler = crawler
        self.lock = None if lock_held else RunLock(path)
        self.run_id: int | None = None
        self.articles = 0
        self.covered = dict.fromkeys(COVERED_FIELDS, 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        if not crawler.settings.getbool("RUNS_ENABLED"):
            raise NotConfigured("RUNS_ENABLED is off")
        assert crawler.stats is not None
        ext = cls(crawler.settings.get("CORPUS_DB"), crawler.stats, crawler,
                  lock_held=crawler.settings.getbool("RUNS_LOCK_HELD"),
                  limits=Thresholds.from_settings(crawler.settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        try:
            self.start_run(spider)
        except RunLocked as e:
            logger.error("%s: this crawl stops", e)
            self.lock = None
            self.close("locked")
        except StorageError as e:  # the store pipeline has said why, in one line
            logger.debug("no run recorded: %s", e)
            self.close("storage_error")

    def start_run(self, spider: Spider) -> None:
        """Take the run lock (no lock file beside a file that is no corpus), then
        insert this run's row."""
        if self.lock is not None:
            Corpus.check_file(self.path)
            self.lock.acquire()
        profile = getattr(getattr(spider, "profile", None), "name", spider.name)
        with Corpus(self.path) as corpus:
            self.run_id = corpus.start_run(profile, list(getattr(spider, "start_urls", [])))
        self.stats.set_value("run/id", self.run_id)

    def close(self, reason: str) -> None:
        """Close the crawl with *reason* (it may be closing already)."""
        assert self.crawler is not None and self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def item_scraped(self, item: Any) -> None:
        # Coverage counts the articles this run stored, not duplicates kept as aliases.
        if isinstance(item, Article) and not item.get("duplicate_of"):
            self.articles += 1
            for name in COVERED_FIELDS:
                self.covered[name] += bool(item.get(name))

    def coverage(self) -> dict[str, float]:
        """Share of this run's stored articles that have each field."""
        if not self.articles:
            return {}
        return {name: round(count / self.articles, 4) for name, count in self.covered.items()}

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            self.record_end(reason)
        finally:
            if self.lock is not None:
                self.lock.release()

    def record_end(self, reason: str) -> None:
        """Complete this run's row with its counts, coverage and finish reason."""
        if self.run_id is None:
            return
        get = self.stats.get_value
        with Corpus(self.path) as corpus:
            corpus.finish_run(
                self.run_id,
                fetched=get("response_received_count", 0),
                new=get("store/inserted", 0),
                updated=get("store/updated", 0),
                unchanged=get("store/unchanged", 0),
                duplicates=get("dedupe/duplicate", 0) + get("dedupe/replaced", 0),
                failed=get("fetch/failed", 0),
                not_modified=get("fetch/not_modified", 0),
                coverage=self.coverage(),
                date_failures=self.articles - self.covered["published"],
                finish_reason=reason,
            )
            self.judge(corpus, reason)

    def judge(self, corpus: Corpus, reason: str) -> None:
        """Record the run's exit status (whichever command started it) and set the
        ``run/exit_status`` and ``run/verdict`` stats the ``crawler`` command reports."""
        assert self.run_id is not None
        history = corpus.runs(limit=50)
        run = next((r for r in history if r["id"] == self.run_id), None)
        last = next((r for r in history if r["id"] != self.run_id and r.get("finished_at")),
                    None)
        stats = {**self.stats.get_stats(), "finish_reason": reason}
        code, why = exit_status(stats, run, last, self.limits)
        corpus.set_exit_status(self.run_id, code)
        self.stats.set_value("run/exit_status", code)
        if why:
            self.stats.set_value("run/verdict", why)


class GCThreshold:
    """A young-generation threshold of ``GC_THRESHOLD`` allocations for Python's cyclic
    garbage collector while the crawl runs (Python's default: 700), restored after.

    A crawl allocates requests, responses, Deferreds and tasks by the hundred thousand,
    few of them in cycles: at the default, collections took 0.2-0.3 s of a 2,000-page
    crawl's CPU, at 10,000 they take 0.05 s, and peak memory is the same.  Reference
    counting frees everything else as soon as it is unused.  0 keeps the default."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.saved: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GCThreshold:
        threshold = crawler.settings.getint("GC_THRESHOLD")
        if threshold <= 0:
            raise NotConfigured("GC_THRESHOLD is 0")
        ext = cls(threshold)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.saved = gc.get_threshold()
        gc.set_threshold(self.threshold, *self.saved[1:])

    def spider_closed(self, spider: Spider) -> None:
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None
