"""Finding a site's articles besides the prev/next chain, so a crawl fans out.

Walking the chain fetches one article after another; a site also lists its articles
where many can be asked for at once: its sitemaps (named in ``robots.txt``, and
WordPress's ``/wp-sitemap.xml``), its feeds (``/feed/`` and those a start page names)
and the category and date archives its start pages link, page after page.  The
articles found there are requested side by side, as many at a time as the per-host
concurrency allows, while each article page still leads on to its prev/next and
read-also links, which make the link graph.

Every source is switched by a setting (``DISCOVERY_SITEMAPS``, ``DISCOVERY_FEEDS``,
``DISCOVERY_ARCHIVES``), stays on the crawl's hosts, and ends: sitemap indexes are
followed a few levels deep, feeds are read from start pages only, and an archive is
paged until ``DISCOVERY_ARCHIVE_MAX_PAGES`` or a page that lists no article not
already known or requested.  Feeds and archives are asked for conditionally, so an
unchanged one costs a 304.  ``Discovery`` is a mixin of the article spider: Scrapy
(and a shared Redis frontier) need callbacks to be spider methods.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from lxml.html import HtmlElement
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from crawler import settings as defaults
from crawler.archives import archive_links, next_page
from crawler.feeds import feed_links, feed_urls, read_feed
from crawler.fetchlog import fetch_record
from crawler.items import Fetch
from crawler.memory import CrawlMemory
from crawler.profiles import Profile
from crawler.sitemaps import lists_posts, read, robots_sitemaps, sitemap_urls
from crawler.urls import SiteURLs, join_url

# Sitemap indexes nest this deep at most (an index of indexes of sitemaps).
MAX_SITEMAP_DEPTH = 3


def is_home(url: str) -> bool:
    """True for a site's home page, which Yoast lists first in its post sitemap.

    >>> is_home("https://a.com/"), is_home("https://a.com/?p=12"), is_home("https://a.com/x/")
    (True, False, False)
    """
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


@dataclass(frozen=True)
class DiscoveryOptions:
    """Which sources a crawl reads besides the chain, from the ``DISCOVERY_*`` settings."""

    sitemaps: bool = False
    feeds: bool = False
    archives: bool = False
    archive_max_pages: int = defaults.DISCOVERY_ARCHIVE_MAX_PAGES
    #: Largest sitemap once unzipped, in bytes (``DOWNLOAD_MAXSIZE``; 0: no limit).
    max_size: int = 0

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> DiscoveryOptions:
        return cls(sitemaps=settings.getbool("DISCOVERY_SITEMAPS"),
                   feeds=settings.getbool("DISCOVERY_FEEDS"),
                   archives=settings.getbool("DISCOVERY_ARCHIVES"),
                   archive_max_pages=settings.getint("DISCOVERY_ARCHIVE_MAX_PAGES"),
                   max_size=settings.getint("DOWNLOAD_MAXSIZE"))


@dataclass
class ArchiveGate:
    """Archives wait for the sitemaps.  Sitemaps list every post in a few requests;
    archives list ten a page, so a site whose sitemaps list its posts needs none of them
    (a date archive widget alone links a page per month).  When the sitemaps are all
    answered, the archives go if the sitemaps listed no post, and are left otherwise."""

    #: Sitemap requests (robots.txt included) not answered yet.
    open: int = 0
    #: Hashes of the canonical URLs of the posts of this crawl's sites the sitemaps
    #: listed: a site lists each in its post sitemap and again in its news sitemap,
    #: and may list 100,000 (a hash takes 36 bytes, a URL with an Arabic slug 150 or
    #: more; two URLs sharing one would only count one post less).
    listed: set[int] = field(default_factory=set)
    #: Sitemap URLs asked for (robots.txt also names ``/wp-sitemap.xml``).
    asked: set[str] = field(default_factory=set)
    #: Requests for the first pages of archives, held until the sitemaps are read.
    waiting: list[scrapy.Request] = field(default_factory=list)
    decided: bool = False

    @property
    def posts(self) -> int:
        """How many distinct posts of this crawl's sites the sitemaps listed."""
        return len(self.listed)

    def list_post(self, url: str) -> bool:
        """Count the post at canonical *url* as listed; False when it was already."""
        before = len(self.listed)
        self.listed.add(hash(url))
        return len(self.listed) > before

    def close(self) -> list[scrapy.Request]:
        """Decide (once): the waiting archives to request, none if the sitemaps listed
        posts."""
        self.decided = True
        released, self.waiting = (self.waiting if not self.posts else []), []
        return released


class Discovery:
    """Requests and callbacks of the discovery sources, mixed into the article spider,
    which provides the crawl's state and its ``make_request``."""

    crawler: Crawler
    profile: Profile
    site: SiteURLs
    memory: CrawlMemory
    start_urls: list[str]
    discovery: DiscoveryOptions
    gate: ArchiveGate

    def make_request(self, url: str, role: str, src: str | None,
                     streak: int = 0) -> scrapy.Request | None:
        """A request for an article, or None when it is known or already requested."""
        raise NotImplementedError

    def canonical(self, url: str) -> str:
        """This crawl's canonical form of *url*."""
        raise NotImplementedError

    def follows(self, url: str) -> bool:
        """True when *url* may be an article of this crawl's sites."""
        raise NotImplementedError

    def page_links(self, response: Response, root: HtmlElement,
                   queries: tuple[str, ...]) -> list[str]:
        """Canonical URLs of the links matching *queries*, in order, on our hosts."""
        raise NotImplementedError

    # -- where discovery starts ----------------------------------------------------------

    def discovery_requests(self) -> list[scrapy.Request]:
        """For each start URL's site: its robots.txt and sitemap index, its feed."""
        requests: list[scrapy.Request | None] = []
        origins = dict.fromkeys(f"{p.scheme}://{p.netloc}" for p in map(urlsplit, self.start_urls))
        for origin in origins:
            if self.discovery.sitemaps:
                requests.append(self.sitemap_request(f"{origin}/robots.txt", "robots"))
                requests += [self.sitemap_request(url, "sitemap") for url in sitemap_urls(origin)]
            if self.discovery.feeds:
                requests += [self.discovery_request(url, "feed", self.parse_feed,
                                                    conditional=True)
                             for url in feed_urls(origin)]
        return [r for r in requests if r is not None]

    def discover_on_start_page(self, response: Response,
                               root: HtmlElement) -> Iterator[scrapy.Request]:
        """The feeds a start page names and the archives it links."""
        src = self.canonical(response.url)
        if self.discovery.feeds:
            for url in feed_links(root, response.url):
                if self.site.allows(url):
                    yield self.discovery_request(url, "feed", self.parse_feed, src,
                                                 conditional=True)
        if self.discovery.archives:
            archives = [self.archive_request(url, src, 1)
                        for url in archive_links(root, response.url) if self.site.allows(url)]
            if self.discovery.sitemaps and not self.gate.decided:
                self.gate.waiting += archives
            elif not self.gate.posts:
                yield from archives
            else:
                self.crawler.stats.inc_value("discovery/archives_left", len(archives))

    def sitemap_request(self, url: str, role: str, src: str | None = None,
                        **meta: Any) -> scrapy.Request | None:
        """A request for robots.txt or a sitemap, once per URL, counted as open until
        answered (see ``ArchiveGate``)."""
        key = self.canonical(url)
        if key in self.gate.asked:
            return None
        self.gate.asked.add(key)
        self.gate.open += 1
        callback = self.parse_robots if role == "robots" else self.parse_sitemap
        return self.discovery_request(key, role, callback, src, **meta)

    def sitemap_answered(self) -> list[scrapy.Request]:
        """One sitemap request less open; when none is, the archives' fate."""
        self.gate.open -= 1
        if self.gate.open > 0 or self.gate.decided:
            return []
        return self.decide_archives()

    def decide_archives(self) -> list[scrapy.Request]:
        """The waiting archive requests to make now that the sitemaps are read."""
        left = len(self.gate.waiting)
        released = self.gate.close()
        if left and not released:
            self.crawler.stats.inc_value("discovery/archives_left", left)
        return released

    def discovery_request(self, url: str, role: str, callback: Callable[..., Any],
                          src: str | None = None, conditional: bool = False,
                          **meta: Any) -> scrapy.Request:
        """A request for a page of the discovery sources (not an article): canonical,
        and conditional when asked and an earlier run fetched it."""
        url = self.canonical(url)
        meta.update(link_role=role, link_src=src)
        headers = self.memory.conditional_headers(url) if conditional else {}
        if headers:
            meta["handle_httpstatus_list"] = [304]
        return scrapy.Request(url, callback=callback, errback=self.discovery_failed,
                              meta=meta, headers=headers)

    def archive_request(self, url: str, src: str, page: int) -> scrapy.Request:
        """A request for page *page* of an archive."""
        return self.discovery_request(url, "archive", self.parse_archive, src,
                                      conditional=True, archive_page=page)

    def listed(self, url: str, lastmod: str | None, role: str,
               src: str) -> scrapy.Request | None:
        """A request for an article a sitemap or feed lists: new, or changed (per
        *lastmod*) since our last fetch of it; None for anything else.

        Each post the sitemaps list (not the home page) counts once in
        ``discovery/posts_listed``, and in ``discovery/posts_listed_known`` too when an
        earlier run stored it and it has not changed since (it is not fetched again)."""
        key = self.canonical(url)
        if not self.follows(key):
            return None
        changed = self.memory.changed_since_fetched(key, lastmod)
        if role == "sitemap" and not is_home(key) and self.gate.list_post(key):
            self.crawler.stats.inc_value("discovery/posts_listed")
            if not changed and self.memory.is_known(key):
                self.crawler.stats.inc_value("discovery/posts_listed_known")
        if changed:
            role = f"{role}_changed"
        return self.make_request(key, role, src)

    def unchanged(self, response: Response) -> bool:
        """True when a discovery page answered 304: unchanged, so nothing new (counted
        with the other 304s)."""
        if response.status == 304:
            self.crawler.stats.inc_value("fetch/not_modified")
            return True
        return False

    # -- callbacks ----------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Any]:
        """Follow the sitemaps robots.txt names."""
        yield Fetch(fetch_record(response))
        src = self.canonical(response.url)
        for url in robots_sitemaps(response.body, response.url):
            if self.site.allows(url):
                self.crawler.stats.inc_value("discovery/robots_sitemaps")
                if request := self.sitemap_request(url, "sitemap", src):
                    yield request
        yield from self.sitemap_answered()

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Follow a sitemap index to its post sitemaps; request the posts a sitemap
        lists that are new, or changed since we last fetched them."""
        yield Fetch(fetch_record(response))
        kind, entries = read(response.body, self.discovery.max_size)
        depth = response.meta.get("sitemap_depth", 0)
        src = self.canonical(response.url)
        for entry in entries:
            url = join_url(response.url, entry.loc)
            if url is None or not self.site.allows(url):
                continue
            if kind == "sitemapindex":
                if lists_posts(url) and depth < MAX_SITEMAP_DEPTH and (
                        request := self.sitemap_request(url, "sitemap", src,
                                                        sitemap_depth=depth + 1)):
                    yield request
            elif request := self.listed(url, entry.lastmod, "sitemap", src):
                yield request
        yield from self.sitemap_answered()

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """Request the articles a feed lists that are new or changed."""
        yield Fetch(fetch_record(response))
        if self.unchanged(response):
            return
        src = self.canonical(response.url)
        for entry in read_feed(response.body):
            url = join_url(response.url, entry.loc)
            if url and self.site.allows(url) and (
                    request := self.listed(url, entry.lastmod, "feed", src)):
                yield request

    def parse_archive(self, response: Response) -> Iterator[Any]:
        """Request the articles an archive page lists, then its next page, while the
        pages bring articles neither known nor requested and the cap allows."""
        yield Fetch(fetch_record(response))
        if self.unchanged(response) or not isinstance(response, HtmlResponse):
            return
        self.crawler.stats.inc_value("discovery/archive_pages")
        root = response.selector.root
        src = self.canonical(response.url)
        new = 0
        for url in dict.fromkeys(self.page_links(response, root, self.profile.listing_link_css)):
            # make_request gives None for what is known, or already requested this run.
            request = self.make_request(url, "archive", src) if self.follows(url) else None
            if request is not None:
                new += 1
                yield request
        page = response.meta.get("archive_page", 1)
        following = next_page(root, response.url)
        if not new or following is None or not self.site.allows(following):
            return
        if page >= self.discovery.archive_max_pages:
            self.crawler.stats.inc_value("discovery/archive_capped")
            return
        yield self.archive_request(following, src, page + 1)

    def discovery_failed(self, failure: Failure) -> list[scrapy.Request]:
        """No such source (or not readable): the chain and the other sources lead on."""
        request = getattr(failure, "request", None)
        role = request.meta.get("link_role") if request is not None else None
        self.crawler.stats.inc_value(f"discovery/{role or 'source'}_unavailable")
        return self.sitemap_answered() if role in ("robots", "sitemap") else []

    def archives_on_idle(self) -> None:
        """A sitemap request that never came back (dropped on the way) must not hold
        the archives for ever: when the crawl has nothing else to do, decide."""
        if self.gate.decided or not self.gate.waiting:
            return
        released = self.decide_archives()
        for request in released:
            self.crawler.engine.crawl(request)
        if released:
            raise DontCloseSpider
