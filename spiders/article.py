"""The article spider: walks prev/next and read-also links from a few start pages."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from lxml.html import HtmlElement
from scrapy import signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import HtmlResponse, Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from twisted.python.failure import Failure

from crawler import settings as defaults
from crawler.analysis import ArticlePage, looks_like_article, read_root
from crawler.bridge import PAGINATION_CSS, bridge_urls
from crawler.dates import (
    parse_date,
    to_iso,
)
from crawler.discovery import ArchiveGate, Discovery, DiscoveryOptions
from crawler.errors import CrawlStopping, UsageError
from crawler.extract import css
from crawler.fetchlog import (
    REDIRECT_STATUSES,
    REDIRECTED_FROM,
    fetch_record,
    now,
    redirected_from,
)
from crawler.inputcheck import bad_values, default_value, unknown_setting
from crawler.items import Article, Fetch
from crawler.memory import CrawlMemory
from crawler.pagereader import PageReader
from crawler.profiles import Profile, get_profile
from crawler.reachability import network_reason
from crawler.shortlinks import Shortlinks, is_shortlink, shortlink_query
from crawler.storage import Corpus
from crawler.urls import SiteURLs, canonicalize_url, check_url, join_url
from crawler.wprest import site_timezone

# Canonical forms remembered: links are mostly to nearby articles, so a few thousand
# hit often, and the bound (a few MB) keeps memory flat however large the site.
CANONICAL_CACHE_SIZE = 8192
COOKIES_MIDDLEWARE = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
# Roles of links whose target, missing, may be a break in the prev/next chain.
_BRIDGED_ROLES = frozenset({"prev", "next", "feed", "archive"})


def url_digest(url: str) -> bytes:
    """A 128-bit digest of *url*: no two URLs of a crawl share one in practice."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def split_urls(value: str | Iterable[str] | None) -> list[str]:
    """Start URLs from a ``-a start_urls=`` string (comma or space separated) or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    return [check_url(url) for url in value if url.strip()]


class ArticleSpider(Discovery, scrapy.Spider):
    """Crawls one site with a profile (``-a profile=NAME``), from its start pages or
    from ``-a start_urls=URL[,URL...]``, staying on the start URLs' hosts; its
    sitemaps, feeds and archives (``Discovery``) let it ask for many articles at once."""

    name = "article"
    profile_name = "wordpress"

    def __init__(self, profile: str | None = None, start_urls: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        # Bad input is refused when the crawl starts (``refuse``), not here: under
        # ``scrapy crawl`` an exception here is a traceback and no finish reason.
        self.refusals: list[tuple[str, str]] = []
        self.profile: Profile = self._profile(profile)
        self.start_urls = self._start_urls(start_urls)
        self.site = self._site_urls(self.profile, self.start_urls)
        # Digests of the canonical URLs requested this run: a link seen again costs a set
        # lookup, not a request through the middlewares to Scrapy's duplicate filter.
        # 16 bytes a URL, not the URL itself (a few hundred), so a large site stays small.
        self._requested: set[bytes] = set()
        self.shortlinks = Shortlinks()
        self.timezone = self.profile.timezone
        self._learned_site = False
        self.memory = CrawlMemory(None)
        self.reader = PageReader(0)  # from_crawler reads PARSE_WORKERS
        self.incremental = False  # from_crawler reads the settings
        self.known_streak = defaults.INCREMENTAL_KNOWN_STREAK
        self.corpus_path: str | None = None
        self.bridge_max_pages = defaults.BRIDGE_MAX_PAGES
        self.discovery = DiscoveryOptions()
        self.gate = ArchiveGate()
        self.allowed_domains = self.site.domains
        self._non_article = [re.compile(p) for p in self.profile.non_article]
        self._article_path = re.compile(self.profile.article_path or "") \
            if self.profile.article_path else None

    def _profile(self, name: str | None) -> Profile:
        try:
            return get_profile(name or self.profile_name)
        except UsageError as e:
            self.refusals.append(("bad_argument", str(e)))
            return get_profile(self.profile_name)

    def _start_urls(self, value: Any) -> list[str]:
        try:
            urls = split_urls(value) or list(self.profile.start_urls)
        except UsageError as e:
            self.refusals.append(("bad_start_url", str(e)))
            return []
        if not urls:
            self.refusals.append(("bad_start_url", f"profile {self.profile.name!r} has no "
                                  "start pages: give -a start_urls=URL[,URL...]"))
        return urls

    def check_settings(self, settings: BaseSettings) -> None:
        """Refuse setting values of the wrong kind, each replaced by its default so that
        Scrapy's components can still be built for the crawl to close; warn of names
        set on the command line that are no setting."""
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        given = [name for name in settings if settings.getpriority(name) == cmdline]
        for name, why in list(bad_values(settings, given)):
            self.refusals.append(("bad_setting", why))
            settings.set(name, default_value(name), priority=settings.getpriority(name) or 0)
        for name in given:
            unknown = unknown_setting(name)
            if unknown:
                self.logger.warning("%s", unknown)

    def refuse(self) -> None:
        """End a crawl whose input was refused: one ERROR line per problem, then
        close with the first problem's finish reason (``bad_setting``...)."""
        reason, why = self.refusals[0]
        for _, line in self.refusals:
            self.logger.error("%s: this crawl stops", line)
        self.crawler.stats.set_value("input/error", why)
        raise CloseSpider(reason)

    @property
    def site(self) -> SiteURLs:
        """How this crawl spells the site's URLs (hosts, scheme, trailing slash)."""
        return self._site

    @site.setter
    def site(self, value: SiteURLs) -> None:
        self._site = value
        # Pages link the same URLs over and over; a new spelling starts a new cache.
        self._canonical = lru_cache(maxsize=CANONICAL_CACHE_SIZE)(
            partial(canonicalize_url, site=value))

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Scrapy's, and no cookies middleware while cookies are off (our default).

        Scrapy imports every middleware of its base list, even one that then declines,
        and this one pulls in tldextract and requests: 80 ms of every start.  It is left
        out of the base list: naming it None in ``DOWNLOADER_MIDDLEWARES`` still imports it."""
        super().update_settings(settings)
        if not settings.getbool("COOKIES_ENABLED"):
            base = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
            if base.pop(COOKIES_MIDDLEWARE, None) is not None:
                settings.set("DOWNLOADER_MIDDLEWARES_BASE", base,
                             settings.getpriority("DOWNLOADER_MIDDLEWARES_BASE") or "default")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.check_settings(settings)
        # SITE_TIMEZONE: zone of visible dates that carry no offset, over the profile's.
        spider.timezone = settings.get("SITE_TIMEZONE") or spider.profile.timezone
        spider.incremental = settings.getbool("INCREMENTAL_ENABLED")
        spider.known_streak = settings.getint("INCREMENTAL_KNOWN_STREAK")
        spider.corpus_path = settings.get("CORPUS_DB")
        spider.bridge_max_pages = settings.getint("BRIDGE_MAX_PAGES")
        spider.reader = PageReader(settings.getint("PARSE_WORKERS"))
        spider.discovery = DiscoveryOptions.from_settings(settings)
        crawler.signals.connect(spider.archives_on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.shortlinks_on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.close_memory, signal=signals.spider_closed)
        return spider

    def open_memory(self) -> None:
        """Read the corpus of earlier runs (when incremental crawling is on)."""
        if self.incremental and self.corpus_path:
            self.memory = CrawlMemory(Corpus(self.corpus_path), self.known_streak)

    def close_memory(self) -> None:
        self.memory.close()
        if self.reader.read_here:
            self.crawler.stats.set_value("reader/read_here", self.reader.read_here)
        self.reader.close()

    @staticmethod
    def _site_urls(profile: Profile, start_urls: list[str]) -> SiteURLs:
        # The profile's own hosts keep its canonical scheme; other start hosts keep theirs.
        known = [f"{profile.scheme or 'https'}://{host}/" for host in profile.hosts]
        site = SiteURLs.from_urls(known, scheme=profile.scheme)
        others = SiteURLs.from_urls(start_urls)
        return SiteURLs(hosts={**others.hosts, **site.hosts})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.refusals:
            self.refuse()
        self.open_memory()
        # The readers import their libraries while the first pages download.
        self.reader.start()
        if self.timezone is None:
            # Learn the site's zone first, so no visible date is read in the wrong one.
            index = urljoin(self.start_urls[0], "/wp-json/")
            yield scrapy.Request(index, callback=self.parse_site_index, dont_filter=True,
                                 errback=self.site_index_failed, meta={"link_role": "site_index"})
        else:
            for request in self.start_requests_():
                yield request

    def start_requests_(self) -> list[scrapy.Request]:
        """Requests for the start pages, then for what earlier runs left to look at."""
        starts = [(url, "start") for url in self.start_urls] + self.memory.resume()
        requests = [self.make_request(url, role, None) for url, role in starts]
        return [r for r in requests if r is not None] + self.discovery_requests()

    def make_request(self, url: str, role: str, src: str | None,
                     streak: int = 0, hold: bool = True) -> scrapy.Request | None:
        """A request for a link of *role* found on *src*, or None when the memory of
        earlier runs says it is not worth one, or when it is a read-also link to a
        shortlink held for later (*hold*).  Known pages are asked for conditionally."""
        canonical = self.canonical(url)
        key = self.shortlinks.resolve(canonical)
        if key != canonical:  # a shortlink of an article read: the article's URL
            url = key
        digest = url_digest(key)
        if digest in self._requested:
            return None
        known = self.memory.is_known(key)
        if not known and role == "listing":
            # Entry pages that list articles we do not have: a run storing none is degraded.
            self.crawler.stats.inc_value("incremental/unknown_on_entry_pages")
        if not self.memory.wants(role, known, streak):
            return None
        shortlink = is_shortlink(key)
        if hold and shortlink and role == "read_also" and self.shortlinks.hold(
                key, role, src, streak):
            return None
        meta: dict[str, Any] = {"link_role": role, "link_src": src,
                                "known_streak": streak + 1 if known else 0}
        headers = self.memory.conditional_headers(key) if known else {}
        handled = [304] if headers else []
        if shortlink:
            handled += list(REDIRECT_STATUSES)  # the spider follows them (``shortlink_redirect``)
        if handled:
            meta["handle_httpstatus_list"] = handled
        self._requested.add(digest)
        return scrapy.Request(url, callback=self.parse, errback=self.failed, meta=meta,
                              headers=headers)

    def failed(self, failure: Failure) -> Iterator[Any]:
        """Record a fetch that failed for good (after retries), so a later run tries it
        again; a prev/next link that leads nowhere is a chain break, bridged through the
        date archives.  Requests our own rules refused (offsite) leave no record."""
        response = getattr(failure.value, "response", None)
        request = getattr(failure, "request", None) or getattr(response, "request", None)
        message = failure.getErrorMessage()
        if request is None or message.startswith("Filtered offsite request"):
            return
        if isinstance(failure.value, CrawlStopping):
            return  # never sent: the next run asks for it again
        if message == "Forbidden by robots.txt":
            self.crawler.stats.inc_value("fetch/robots_forbidden")
        else:
            if network_reason(failure.value) is None:  # those the middleware counted
                self.crawler.stats.inc_value("fetch/failed")
            yield from self.bridge(request)
        record = fetch_record(response, request) if response is not None else {
            "requested_url": request.url, "final_url": request.url, "status": None,
            "link_role": request.meta.get("link_role"), "link_src": request.meta.get("link_src"),
            "fetched_at": now()}
        yield Fetch(record, error=message[:500] or failure.type.__name__)

    def bridge(self, request: scrapy.Request) -> Iterator[scrapy.Request]:
        """Requests for the date archives around a missing prev/next article (or one a
        feed or archive listed: asked for first, it would hide a break in the chain)."""
        if request.meta.get("link_role") not in _BRIDGED_ROLES:
            return
        self.crawler.stats.inc_value("chain/breaks")
        self.logger.info("chain break at %s (linked from %s): bridging through the archives",
                         request.url, request.meta.get("link_src"))
        for url in bridge_urls(request.url):
            bridged = self.make_request(url, "bridge", request.meta.get("link_src"))
            if bridged is not None:
                yield bridged

    def parse_site_index(self, response: Response) -> list[scrapy.Request]:
        """Take the time zone from WordPress's REST index, then start the crawl."""
        self.timezone = site_timezone(response.body) or ""
        self.logger.info("time zone of %s: %s", response.url, self.timezone)
        return self.start_requests_()

    def site_index_failed(self, failure: Failure) -> list[scrapy.Request]:
        """No REST index: dates keep the offset the page gives them; dates without
        one are read as UTC."""
        self.timezone = ""
        self.logger.info("no WordPress REST index (%s): the site's time zone is unknown",
                         failure.getErrorMessage())
        return self.start_requests_()

    def parse(self, response: Response, **kwargs: Any) -> Iterable[Any] | Awaitable[list[Any]]:
        """Articles become items (and their links requests); other pages are listings.
        Every response is recorded as a fetch, with the article or on its own.

        With a page-reader worker the page is read there, while this process fetches on."""
        if response.status == 304:
            return self.not_modified(response)
        if response.status in REDIRECT_STATUSES:
            return self.shortlink_redirect(response)
        if not isinstance(response, HtmlResponse):
            return [Fetch(fetch_record(response))]
        by_url = self.article_by_url(response.url)
        if by_url is False:
            return self.listing(response, response.selector.root)
        if self.reader.in_process:
            root = response.selector.root
            if by_url is None and not looks_like_article(root):
                return self.listing(response, root)
            return self.parse_article(response, read_root(root, response.url,
                                                          self.profile.name, self.timezone or ""))
        return self._read_in_worker(response, by_url)

    async def _read_in_worker(self, response: HtmlResponse, by_url: bool | None) -> list[Any]:
        # A coroutine returning a list, not an async generator: Scrapy then runs the
        # output through its middlewares' synchronous methods, at a fraction of the cost.
        page = await self.reader.read(response.body, response.url, self.profile.name,
                                      self.timezone or "", by_url, response.encoding)
        if page is None:
            return list(self.listing(response, response.selector.root))
        return list(self.parse_article(response, page))

    def listing(self, response: Response, root: HtmlElement) -> Iterator[Any]:
        """A page that is no article: record it, and follow it if it is an entry page."""
        yield Fetch(fetch_record(response))
        yield from self.parse_listing(response, root)

    def shortlink_redirect(self, response: Response) -> list[Any]:
        """A shortlink (``?p=ID``) redirected to its article: when this run asks for
        that article anyway (or an earlier run stored it), record the shortlink as its
        alias and fetch nothing more; else fetch the article, the shortlink its alias.

        Read-also links often name shortlinks of articles that a sitemap lists too:
        following each redirect fetched those articles twice."""
        location = response.headers.get(b"Location")
        target = join_url(response.url, location.decode("latin-1")) if location else None
        if target is None:
            return [Fetch(fetch_record(response))]
        meta = response.meta
        # The target is the same link as the shortlink: its streak is the one the shortlink
        # was asked with (a known page's meta counts itself in).
        streak = max(meta.get("known_streak", 0) - 1, 0)
        request = self.make_request(target, meta.get("link_role", "read_also"),
                                    meta.get("link_src"), streak)
        if request is not None:
            request.meta[REDIRECTED_FROM] = [response.url]
            return [request]
        self.crawler.stats.inc_value("redirect/to_requested_article")
        alias = {"url": self.canonical(response.url), "article_url": self.canonical(target)}
        return [Fetch(fetch_record(response), alias_of=alias)]

    def not_modified(self, response: Response) -> Iterator[Any]:
        """A known page answered 304: record it, and walk on along its stored prev links."""
        self.crawler.stats.inc_value("fetch/not_modified")
        yield Fetch(fetch_record(response))
        url = self.canonical(response.url)
        streak = response.meta.get("known_streak", 0)
        for dst in self.memory.stored_prev(url):
            request = self.make_request(dst, "prev", url, streak)
            if request is not None:
                yield request

    def is_article(self, root: HtmlElement, url: str) -> bool:
        """True for a single-article page: by the profile's URL pattern, else by its
        markup (``looks_like_article``)."""
        by_url = self.article_by_url(url)
        return looks_like_article(root) if by_url is None else by_url

    def article_by_url(self, url: str) -> bool | None:
        """Whether *url* is an article's by the profile's URL rules alone; None when
        only the page's markup can tell."""
        if self.is_excluded(url):
            return False
        if self._article_path is not None:
            return bool(self._article_path.match(urlsplit(url).path))
        return None

    def is_excluded(self, url: str) -> bool:
        """True for URLs that are never articles (authors, categories, feeds...)."""
        path_query = url.split("://", 1)[-1].partition("/")[2]
        return any(p.search("/" + path_query) for p in self._non_article)

    def follows(self, url: str) -> bool:
        """True when *url* may be an article of this crawl's sites."""
        if not self.site.allows(url) or self.is_excluded(url):
            return False
        parts = urlsplit(url)
        if shortlink_query(parts.query):
            return True
        return self._article_path is None or bool(self._article_path.match(parts.path))

    def canonical(self, url: str) -> str:
        """This crawl's canonical form of *url*."""
        return self._canonical(url)

    def page_url(self, response: Response, page: ArticlePage) -> str:
        """The article's URL: its ``rel=canonical`` when on our hosts, else the final URL.

        The first article's ``rel=canonical`` also teaches the crawl how the site
        spells its URLs (https or not, ``www.`` or not, trailing slash or not)."""
        for declared in page.declared:
            if not self._learned_site:
                self.site = self.site.adopt(declared)
                self._learned_site = True
            url = self.canonical(declared)
            if self.site.allows(url):
                return url
        return self.canonical(response.url)

    def aliases(self, response: Response, page: ArticlePage, url: str) -> list[dict]:
        """Other URLs of this article, with how we know: redirect sources, the fetched
        URL when ``rel=canonical`` names another, the page's shortlink."""
        found = [(u, "redirect") for u in redirected_from(response.meta)]
        found.append((response.url, "canonical"))
        found += [(u, "shortlink") for u in page.shortlinks]
        aliases: dict[str, str] = {}
        for joined, reason in found:
            alias = self.canonical(joined)
            if alias != url and self.site.allows(alias):
                aliases.setdefault(alias, reason)
        return [{"url": alias, "reason": reason} for alias, reason in aliases.items()]

    def role_links(self, page: ArticlePage, url: str) -> list[dict]:
        """The page's prev/next/read-also links that lead to articles, canonicalised."""
        links, seen = [], set()
        for found, role, rule in page.links:
            dst = self.shortlinks.resolve(self.canonical(found))
            if dst != url and self.follows(dst) and (dst, role) not in seen:
                seen.add((dst, role))
                links.append({"dst": dst, "role": role, "rule": rule})
        return links

    def parse_article(self, response: Response, page: ArticlePage) -> Iterator[Any]:
        """Yield the article item, then a request for each linked article."""
        url = self.page_url(response, page)
        links = self.role_links(page, url)
        item = self.article(response, page, url, links)
        self.remember_shortlinks(item)
        if page.rest_post and not page.dated_by_markup:
            yield self.rest_post_request(page.rest_post, item)
        else:
            yield item
        streak = response.meta.get("known_streak", 0)
        # Chain links first: a page linked both ways is requested once, as prev/next,
        # so that its failure is bridged as a chain break.
        for link in sorted(links, key=lambda lk: lk["role"] == "read_also"):
            request = self.make_request(link["dst"], link["role"], url, streak)
            if request is not None:
                yield request

    def article(self, response: Response, page: ArticlePage, url: str,
                links: list[dict]) -> Article:
        """The Article: the page's loaded fields, and what only the crawl knows."""
        item = Article(url=url, **page.values)
        item["status"] = response.status
        item["profile"] = self.profile.name
        item["fetched_at"] = now()
        item["links"] = links
        item["aliases"] = self.aliases(response, page, url)
        item["dated_by_markup"] = page.dated_by_markup
        item.setdefault("categories", [])
        item.setdefault("tags", [])
        item["fetch"] = fetch_record(response)
        if page.packed_body is not None:  # packed by the worker that read the page
            item["fetch"]["packed_body"] = page.packed_body
        return item

    def remember_shortlinks(self, item: Article) -> None:
        """Remember the shortlinks of *item* (declared, or that redirected to it)."""
        for alias in item["aliases"]:
            if is_shortlink(alias["url"]):
                self.shortlinks.learn(alias["url"], item["url"])

    def shortlinks_on_idle(self) -> None:
        """With nothing else to do, ask for the shortlinks held that no article read
        since has named as its own."""
        requests = [self.make_request(url, role, src, streak, hold=False)
                    for url, role, src, streak in self.shortlinks.release()]
        for request in requests:
            if request is not None:
                self.crawler.engine.crawl(request)
        if any(requests):
            raise DontCloseSpider

    def rest_post_request(self, url: str, item: Article) -> scrapy.Request:
        """Ask the REST API for the exact publication time of a page that shows only
        a visible date (often a day without the time); the item waits in meta."""
        return scrapy.Request(url, callback=self.parse_rest_post, errback=self.rest_post_failed,
                              dont_filter=True, meta={"article": item, "link_role": "rest_post",
                                                      "link_src": item["url"]})

    def parse_rest_post(self, response: Response) -> Iterator[Any]:
        """Fill ``published``/``modified`` from the post's ``date_gmt``/``modified_gmt``."""
        item = response.meta["article"]
        yield Fetch(fetch_record(response))
        try:
            post = json.loads(response.body)
        except ValueError:
            post = {}
        zone = self.timezone or "UTC"
        for field, key in (("published", "date_gmt"), ("modified", "modified_gmt")):
            value = post.get(key) if isinstance(post, dict) else None
            parsed = parse_date(f"{value}+00:00", "UTC") if isinstance(value, str) else None
            if parsed is not None:
                item[field] = to_iso(parsed.astimezone(ZoneInfo(zone)))
        yield item

    def rest_post_failed(self, failure: Failure) -> Iterator[Any]:
        """No REST answer: keep the visible date."""
        yield failure.request.meta["article"]  # type: ignore[attr-defined]

    def parse_listing(self, response: Response, root: HtmlElement) -> Iterator[scrapy.Request]:
        """Follow the article links of an entry page (start pages, date archives opened to
        bridge a chain break), and the feeds and archives a start page names.  Other
        non-article pages are not expanded: a page reached from a listing that is not an
        article is a dead end, so calendars and endless pagination cannot trap the crawl,
        however long its real chains are."""
        role = response.meta.get("link_role")
        if role not in ("start", "bridge"):
            self.crawler.stats.inc_value("listing/not_expanded")
            return
        if role == "start":
            yield from self.discover_on_start_page(response, root)
        src = self.canonical(response.url)
        seen = set()
        for url in self.page_links(response, root, self.profile.listing_link_css):
            if url not in seen and self.follows(url):
                seen.add(url)
                request = self.make_request(url, "listing", src)
                if request is not None:
                    yield request
        pages = response.meta.get("bridge_pages", 0)
        if role == "bridge" and pages < self.bridge_max_pages:
            for url in self.page_links(response, root, PAGINATION_CSS)[:1]:
                request = self.make_request(url, "bridge", src)
                if request is not None:
                    request.meta["bridge_pages"] = pages + 1
                    yield request

    def page_links(self, response: Response, root: HtmlElement,
                   queries: tuple[str, ...]) -> list[str]:
        """Canonical URLs of the links matching *queries*, in order, on our hosts."""
        urls = []
        for query in queries:
            for a in css(root, query):
                joined = join_url(response.url, a.get("href") or "") if a.get("href") else None
                if joined is not None and self.site.allows(joined):
                    urls.append(self.canonical(joined))
        return urls
