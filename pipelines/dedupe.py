"""Mark articles whose content is already known under another URL."""

from __future__ import annotations

import logging
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

    The known hashes are read from the corpus (``CORPUS_DB``) when the spider
    opens, then grow with every item.  For an item whose hash is known under
    another URL:

    - if the known copy is preferred (``preference_key``), the item gets
      ``duplicate_of`` = that URL (stat ``dedupe/duplicate``);
    - otherwise the item gets ``replaces`` = that URL and becomes the known copy
      (stat ``dedupe/replaced``).

    Duplicates are not dropped: they go on to the store pipeline, which records
    their URLs as aliases of the kept article.
    """

    def __init__(self, stats: StatsCollector, *, corpus_path: str | Path | None = None) -> None:
        self.stats = stats
        self.corpus_path = corpus_path
        self.known: dict[str, tuple[str, PreferenceKey]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        """Build the pipeline from the crawl's settings."""
        return cls(crawler.stats, corpus_path=crawler.settings.get("CORPUS_DB", "data/corpus.db"))

    def open_spider(self) -> None:
        """Learn the content hashes already stored in the corpus."""
        if self.corpus_path is None or not Path(self.corpus_path).exists():
            return
        try:
            with Corpus(self.corpus_path) as corpus:
                for digest, url, published in corpus.content_keys():
                    self.remember(digest, url, preference_key(url, published))
        except StorageError as e:
            logger.error("Cannot read the corpus: %s", e)
            self.stats.set_value("dedupe/error", str(e))
            raise CloseSpider("storage_error") from e
        self.stats.set_value("dedupe/seeded", len(self.known))

    def remember(self, digest: str, url: str, key: PreferenceKey) -> None:
        """Record *url* as a copy of *digest* if it is the preferred one so far."""
        known = self.known.get(digest)
        if known is None or key < known[1]:
            self.known[digest] = (url, key)

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
        known = self.known.get(digest)
        if known is None or known[0] == url:
            self.known[digest] = (url, key)
        elif known[1] < key:
            adapter["duplicate_of"] = known[0]
            self.stats.inc_value("dedupe/duplicate")
        else:
            adapter["replaces"] = known[0]
            self.known[digest] = (url, key)
            self.stats.inc_value("dedupe/replaced")
        return item
