"""The crawl's memory of earlier runs, read from the corpus: what to fetch again.

A run fetches new articles, and known ones only where something new can show:
entry pages and what they list, the ends of the prev/next chain, pages an earlier
run did not finish, and a few known articles behind each new one (the walk back
along prev links stops after ``INCREMENTAL_KNOWN_STREAK`` known articles in a row).
Known URLs are looked up in SQLite by index, never loaded into RAM.
"""

from __future__ import annotations

from crawler import settings as defaults
from crawler.sitemaps import changed_since
from crawler.storage import Corpus

# Roles whose known targets are fetched again (conditionally): where a site shows
# what is new or updated, and what an earlier run left unfinished.
REFETCH_ROLES = frozenset({"start", "listing", "chain_end", "pending", "sitemap_changed",
                           "feed_changed"})


class CrawlMemory:
    """Decides, from the corpus, whether a link is worth a request."""

    def __init__(self, corpus: Corpus | None,
                 known_streak: int = defaults.INCREMENTAL_KNOWN_STREAK):
        self.corpus = corpus
        self.known_streak = known_streak

    def is_known(self, url: str) -> bool:
        """True when an earlier run stored *url* (as an article or an alias)."""
        return self.corpus is not None and self.corpus.is_known(url)

    def wants(self, role: str, known: bool, streak: int) -> bool:
        """Whether to fetch a link of *role*; *streak* counts the known articles
        walked back in a row before this one."""
        if not known or role in REFETCH_ROLES:
            return True
        return role == "prev" and streak < self.known_streak

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the last successful fetch of *url*."""
        found = self.corpus.validators(url) if self.corpus is not None else None
        if not found:
            return {}
        etag, last_modified = found
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def changed_since_fetched(self, url: str, lastmod: str | None) -> bool:
        """True when a sitemap says *url* changed after our last fetch of it."""
        if self.corpus is None or not lastmod:
            return False
        return changed_since(lastmod, self.corpus.fetched_at(url))

    def resume(self) -> list[tuple[str, str]]:
        """``(url, role)`` to start from besides the entry pages: the chain ends
        (they gain a next link when the site publishes) and unfinished pages."""
        if self.corpus is None:
            return []
        ends = [(url, "chain_end") for url, _missing in self.corpus.chain_ends()]
        return ends + [(url, "pending") for url in self.corpus.pending_urls()]

    def stored_prev(self, url: str) -> list[str]:
        """Previous-article links recorded for *url* (to walk on past a 304)."""
        if self.corpus is None:
            return []
        return [dst for dst, role in self.corpus.stored_links(url) if role == "prev"]

    def close(self) -> None:
        if self.corpus is not None:
            self.corpus.close()

