"""Mark articles whose content is already known under another URL."""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import CloseSpider

from crawler.errors import StorageError
from crawler.items import Fetch
from crawler.storage import Corpus

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

PreferenceKey = tuple[int, float, int, str]
# Hashes of the last items remembered: more than a store batch holds unwritten.
RECENT_SIZE = 1000


def preference_key(url: str, published: str | None) -> PreferenceKey:
    """Sort key of one copy of an article: the smallest key is the copy to keep.

    Earliest publication time first (undated copies last), then the shorter URL,
    then the lexicographically smaller one, so the choice never depends on the
    order pages were crawled in.

    >>> dated = preference_key("https://a/1", "2017-09-12T10:00:00+03:00")
    >>> dated < preference_key("https://a/1", None)
    True
    >>> preference_key("https://a/12", None) > preference_key("https://a/2", None)
    True
    """
    moment = _timestamp(published)
    if moment is None:
        return (1, 0.0, len(url), url)
    return (0, moment, len(url), url)


def _timestamp(published: str | None) -> float | None:
    """POSIX time of an ISO 8601 string (naive times taken as UTC), or None."""
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class DedupePipeline:
    """Find exact duplicates by ``content_hash`` and choose which copy to keep.

    The kept copy of a hash is looked up in the corpus (``CORPUS_DB``, by index), or
    among the hashes of the last items, which the store pipeline may not have written
    yet; nothing else is held in memory, so a crawl of any size needs the same.  For an
    item whose hash is known under another URL:

    - if the known copy is preferred (``preference_key``), the item gets
      ``duplicate_of`` = that URL (stat ``dedupe/duplicate``);
    - otherwise the item gets ``replaces`` = that URL and becomes the known copy
      (stat ``dedupe/replaced``).

    Duplicates are not dropped: they go on to the store pipeline, which records
    their URLs as aliases of the kept article.
    """

    def __init__(self, stats: StatsCollector, *, corpus_path: str | Path | None = None,
                 recent_size: int = RECENT_SIZE) -> None:
        self.stats = stats
        self.corpus_path = corpus_path
        # The store pipeline writes in batches: the hashes of items it may still hold.
        self.recent: OrderedDict[str, tuple[str, PreferenceKey]] = OrderedDict()
        self.recent_size = recent_size
        self.corpus: Corpus | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        """Build the pipeline from the crawl's settings."""
        settings = crawler.settings
        batch = settings.getint("STORE_BATCH_SIZE")
        return cls(crawler.stats, corpus_path=settings.get("CORPUS_DB"),
                   recent_size=max(RECENT_SIZE, 2 * batch))

    def open_spider(self) -> None:
        """Count the content hashes already stored (a corpus is never created here)."""
        if self._open_corpus() is not None:
            self.stats.set_value("dedupe/seeded", self._read(Corpus.count_hashes))

    def close_spider(self) -> None:
        if self.corpus is not None:
            self.corpus.close()
            self.corpus = None

    def _open_corpus(self) -> Corpus | None:
        """The corpus, opened once it exists (the store pipeline creates it)."""
        if self.corpus is None and self.corpus_path is not None \
                and Path(self.corpus_path).exists():
            self.corpus = self._read(Corpus, self.corpus_path)
        return self.corpus

    def _read(self, read: Any, *args: Any) -> Any:
        try:
            return read(*args) if read is Corpus else read(self.corpus, *args)
        except StorageError as e:
            logger.error("Cannot read the corpus: %s", e)
            self.stats.set_value("dedupe/error", str(e))
            raise CloseSpider("storage_error") from e

    def kept_copy(self, digest: str) -> tuple[str, PreferenceKey] | None:
        """The URL and preference key of the copy of *digest* kept so far, or None."""
        known = self.recent.get(digest)
        if known is not None:
            return known
        corpus = self._open_corpus()
        if corpus is None:
            return None
        copies = self._read(Corpus.copies_of, digest)
        return min(((url, preference_key(url, published)) for url, published in copies),
                   key=lambda copy: copy[1], default=None)

    def keep(self, digest: str, url: str, key: PreferenceKey) -> None:
        """Remember *url* as the kept copy of *digest* until the store has written it."""
        self.recent[digest] = (url, key)
        self.recent.move_to_end(digest)
        while len(self.recent) > self.recent_size:
            self.recent.popitem(last=False)

    def process_item(self, item: Any) -> Any:
        """Set ``duplicate_of`` or ``replaces`` on *item* when its content is known;
        a Fetch item passes through untouched."""
        if isinstance(item, Fetch):
            return item
        adapter = ItemAdapter(item)
        digest, url = adapter.get("content_hash"), adapter.get("url")
        if not digest or not url:
            return item
        key = preference_key(url, adapter.get("published"))
        known = self.kept_copy(digest)
        if known is None or known[0] == url:
            self.keep(digest, url, key)
        elif known[1] < key:
            adapter["duplicate_of"] = known[0]
            self.stats.inc_value("dedupe/duplicate")
        else:
            adapter["replaces"] = known[0]
            self.keep(digest, url, key)
            self.stats.inc_value("dedupe/replaced")
        return item
