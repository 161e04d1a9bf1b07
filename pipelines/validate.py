"""Drop items that are not usable articles; fill the fields derived from the text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler import settings as defaults
from crawler.items import Fetch
from crawler.text import content_hash, word_count

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class ValidatePipeline:
    """Check required fields and fill ``language``, ``word_count`` and ``content_hash``.

    Drops an item without ``url``, ``title`` or ``body`` (empty or blank), or whose
    body has fewer than ``VALIDATE_MIN_WORDS`` words (default 1: a short post is
    still a post).  Items without a
    language get ``VALIDATE_DEFAULT_LANGUAGE`` (default ``"ar"``).  Stats:
    ``validate/ok`` and ``validate/dropped/<reason>`` (``no_url``, ``no_title``,
    ``no_body``, ``too_short``).
    """

    def __init__(self, stats: StatsCollector, *, min_words: int = defaults.VALIDATE_MIN_WORDS,
                 default_language: str = defaults.VALIDATE_DEFAULT_LANGUAGE) -> None:
        self.stats = stats
        self.min_words = min_words
        self.default_language = default_language

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        """Build the pipeline from the crawl's settings."""
        settings = crawler.settings
        return cls(
            crawler.stats,
            min_words=settings.getint("VALIDATE_MIN_WORDS"),
            default_language=settings.get("VALIDATE_DEFAULT_LANGUAGE"),
        )

    def process_item(self, item: Any) -> Any:
        """Return *item* with its derived fields filled, or raise DropItem; a Fetch
        item passes through untouched."""
        if isinstance(item, Fetch):
            return item
        adapter = ItemAdapter(item)
        problem = self.problem(adapter)
        if problem is not None:
            reason, detail = problem
            self.stats.inc_value(f"validate/dropped/{reason}")
            # A page without a url is a bug; the others are pages that are not articles.
            level = None if reason == "no_url" else "DEBUG"
            raise DropItem(f"{detail}: {adapter.get('url')}", log_level=level)
        self.fill(adapter)
        self.stats.inc_value("validate/ok")
        return item

    def problem(self, adapter: ItemAdapter) -> tuple[str, str] | None:
        """``(reason, description)`` of what makes the item unusable, or None."""
        for name in ("url", "title", "body"):
            if not str(adapter.get(name) or "").strip():
                return f"no_{name}", f"no {name}"
        words = word_count(adapter["body"])
        if words < self.min_words:
            return "too_short", f"body too short ({words} words < {self.min_words})"
        return None

    def fill(self, adapter: ItemAdapter) -> None:
        """Fill ``language``, ``word_count`` and ``content_hash`` when missing."""
        if not adapter.get("language"):
            adapter["language"] = self.default_language
        if adapter.get("word_count") is None:
            adapter["word_count"] = word_count(adapter["body"])
        if not adapter.get("content_hash"):
            adapter["content_hash"] = content_hash(adapter["title"], adapter["body"])
