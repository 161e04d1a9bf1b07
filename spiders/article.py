"""The article spider: walks prev/next and read-also links from a few start pages."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import scrapy
from lxml.html import HtmlElement
from parsel import Selector
from scrapy import signals
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler.bridge import PAGINATION_CSS, bridge_urls
from crawler.dates import (
    dated_page,
    modified_from_page,
    parse_date,
    to_iso,
)
from crawler.extract import css, extract_fields, json_ld, meta
from crawler.fetchlog import fetch_record, now
from crawler.items import Article, Fetch
from crawler.links import find_links
from crawler.loaders import ArticleLoader
from crawler.memory import CrawlMemory
from crawler.profiles import Profile, get_profile
from crawler.sitemaps import lists_posts, read, sitemap_urls
from crawler.storage import Corpus
from crawler.text import content_hash, word_count
from crawler.urls import SiteURLs, canonicalize_url, check_url, join_url
from crawler.wprest import site_timezone

_SHORTLINK = re.compile(r"^(p|page_id)=\d+$")
# body_class() of WordPress pages, archives, the home page, search and 404 pages.
_LISTING_BODY_CLASSES = {"page", "archive", "home", "blog", "search", "error404", "attachment"}
_SINGLE_BODY_CLASSES = {"single", "single-post", "single-format-standard"}
_ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")


def split_urls(value: str | Iterable[str] | None) -> list[str]:
    """Start URLs from a ``-a start_urls=`` string (comma or space separated) or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    return [check_url(url) for url in value if url.strip()]


class ArticleSpider(scrapy.Spider):
    """Crawls one site with a profile (``-a profile=NAME``), from its start pages or
    from ``-a start_urls=URL[,URL...]``, staying on the start URLs' hosts."""

    name = "article"
    profile_name = "wordpress"

    def __init__(self, profile: str | None = None, start_urls: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.profile: Profile = get_profile(profile or self.profile_name)
        self.start_urls = split_urls(start_urls) or list(self.profile.start_urls)
        self.site = self._site_urls(self.profile, self.start_urls)
        self.timezone = self.profile.timezone
        self._learned_site = False
        self.memory = CrawlMemory(None)
        self.incremental = False  # from_crawler reads the settings
        self.known_streak = 5
        self.corpus_path: str | None = None
        self.bridge_max_pages = 5
        self.use_sitemaps = False
        self.allowed_domains = self.site.domains
        self._non_article = [re.compile(p) for p in self.profile.non_article]
        self._article_path = re.compile(self.profile.article_path or "") \
            if self.profile.article_path else None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # SITE_TIMEZONE: zone of visible dates that carry no offset, over the profile's.
        settings = crawler.settings
        spider.timezone = settings.get("SITE_TIMEZONE") or spider.profile.timezone
        spider.incremental = settings.getbool("INCREMENTAL_ENABLED", True)
        spider.known_streak = settings.getint("INCREMENTAL_KNOWN_STREAK", 5)
        spider.corpus_path = settings.get("CORPUS_DB")
        spider.bridge_max_pages = settings.getint("BRIDGE_MAX_PAGES", 5)
        spider.use_sitemaps = settings.getbool("DISCOVERY_SITEMAPS", True)
        crawler.signals.connect(spider.close_memory, signal=signals.spider_closed)
        return spider

    def open_memory(self) -> None:
        """Read the corpus of earlier runs (when incremental crawling is on)."""
        if self.incremental and self.corpus_path:
            self.memory = CrawlMemory(Corpus(self.corpus_path), self.known_streak)

    def close_memory(self) -> None:
        self.memory.close()

    @staticmethod
    def _site_urls(profile: Profile, start_urls: list[str]) -> SiteURLs:
        # The profile's own hosts keep its canonical scheme; other start hosts keep theirs.
        known = [f"{profile.scheme or 'https'}://{host}/" for host in profile.hosts]
        site = SiteURLs.from_urls(known, scheme=profile.scheme)
        others = SiteURLs.from_urls(start_urls)
        return SiteURLs(hosts={**others.hosts, **site.hosts})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.open_memory()
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
        return [r for r in requests if r is not None] + self.sitemap_requests()

    def sitemap_requests(self) -> list[scrapy.Request]:
        """The sitemap index of each start URL's site (when DISCOVERY_SITEMAPS is on)."""
        if not self.use_sitemaps:
            return []
        origins = dict.fromkeys(f"{p.scheme}://{p.netloc}" for p in map(urlsplit, self.start_urls))
        return [scrapy.Request(url, callback=self.parse_sitemap, errback=self.sitemap_failed,
                               meta={"link_role": "sitemap"})
                for origin in origins for url in sitemap_urls(origin)]

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Follow a sitemap index to its post sitemaps; request the posts a post
        sitemap lists that are new, or changed since we last fetched them."""
        yield Fetch(fetch_record(response))
        kind, entries = read(response.body)
        for entry in entries:
            joined = join_url(response.url, entry.loc)
            if joined is None or not self.site.allows(joined):
                continue
            if kind == "sitemapindex" and lists_posts(joined):
                yield scrapy.Request(joined, callback=self.parse_sitemap,
                                     errback=self.sitemap_failed, meta={"link_role": "sitemap"})
            elif kind == "urlset":
                url = self.canonical(joined)
                if not self.follows(url):
                    continue
                role = ("sitemap_changed" if self.memory.changed_since_fetched(url, entry.lastmod)
                        else "sitemap")
                request = self.make_request(url, role, self.canonical(response.url))
                if request is not None:
                    yield request

    def sitemap_failed(self, failure: Failure) -> None:
        """No sitemap (or not readable): the links and entry pages still lead on."""
        self.crawler.stats.inc_value("sitemap/unavailable")

    def make_request(self, url: str, role: str, src: str | None,
                     streak: int = 0) -> scrapy.Request | None:
        """A request for a link of *role* found on *src*, or None when the memory of
        earlier runs says it is not worth one.  Known pages are asked for conditionally."""
        key = self.canonical(url)
        known = self.memory.is_known(key)
        if not known and role == "listing":
            # Entry pages that list articles we do not have: a run storing none is degraded.
            self.crawler.stats.inc_value("incremental/unknown_on_entry_pages")
        if not self.memory.wants(role, known, streak):
            return None
        meta: dict[str, Any] = {"link_role": role, "link_src": src,
                                "known_streak": streak + 1 if known else 0}
        headers = self.memory.conditional_headers(key) if known else {}
        if headers:
            meta["handle_httpstatus_list"] = [304]
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
        if message == "Forbidden by robots.txt":
            self.crawler.stats.inc_value("fetch/robots_forbidden")
        else:
            self.crawler.stats.inc_value("fetch/failed")
            yield from self.bridge(request)
        record = fetch_record(response, request) if response is not None else {
            "requested_url": request.url, "final_url": request.url, "status": None,
            "link_role": request.meta.get("link_role"), "link_src": request.meta.get("link_src"),
            "fetched_at": now()}
        yield Fetch(record, error=message[:500] or failure.type.__name__)

    def bridge(self, request: scrapy.Request) -> Iterator[scrapy.Request]:
        """Requests for the date archives around a missing prev/next article."""
        if request.meta.get("link_role") not in ("prev", "next"):
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

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Articles become items (and their links requests); other pages are listings.
        Every response is recorded as a fetch, with the article or on its own."""
        if response.status == 304:
            yield from self.not_modified(response)
            return
        if not isinstance(response, HtmlResponse):
            yield Fetch(fetch_record(response))
            return
        root = response.selector.root
        if self.is_article(root, response.url):
            yield from self.parse_article(response, root)
        else:
            yield Fetch(fetch_record(response))
            yield from self.parse_listing(response, root)

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
        """True for a single-article page: by the profile's URL pattern, else by
        WordPress's body classes (SEO plugins print ``og:type=article`` on pages and
        archives too), else by ``og:type`` or JSON-LD."""
        if self.is_excluded(url):
            return False
        if self._article_path is not None:
            return bool(self._article_path.match(urlsplit(url).path))
        body_classes = set(" ".join(root.xpath("//body/@class")).split())
        if body_classes & _SINGLE_BODY_CLASSES or any(c.startswith("postid-")
                                                      for c in body_classes):
            return True
        if body_classes & _LISTING_BODY_CLASSES:
            return False
        if "article" in [v.lower() for v in meta(root, "og:type")]:
            return True
        return any(n.get("@type") in _ARTICLE_TYPES for n in json_ld(root))

    def is_excluded(self, url: str) -> bool:
        """True for URLs that are never articles (authors, categories, feeds...)."""
        path_query = url.split("://", 1)[-1].partition("/")[2]
        return any(p.search("/" + path_query) for p in self._non_article)

    def follows(self, url: str) -> bool:
        """True when *url* may be an article of this crawl's sites."""
        if not self.site.allows(url) or self.is_excluded(url):
            return False
        parts = urlsplit(url)
        if _SHORTLINK.match(parts.query):
            return True
        return self._article_path is None or bool(self._article_path.match(parts.path))

    def canonical(self, url: str) -> str:
        """This crawl's canonical form of *url*."""
        return canonicalize_url(url, self.site)

    def page_url(self, response: Response, root: HtmlElement) -> str:
        """The article's URL: its ``rel=canonical`` when on our hosts, else the final URL.

        The first article's ``rel=canonical`` also teaches the crawl how the site
        spells its URLs (https or not, ``www.`` or not, trailing slash or not)."""
        for href in root.xpath("//head/link[@rel='canonical']/@href"):
            declared = join_url(response.url, href)
            if declared is None:
                continue
            if not self._learned_site:
                self.site = self.site.adopt(declared)
                self._learned_site = True
            url = self.canonical(declared)
            if self.site.allows(url):
                return url
        return self.canonical(response.url)

    def aliases(self, response: Response, root: HtmlElement, url: str) -> list[dict]:
        """Other URLs of this article, with how we know: redirect sources, the fetched
        URL when ``rel=canonical`` names another, the page's shortlink."""
        found = [(u, "redirect") for u in response.meta.get("redirect_urls", [])]
        found.append((response.url, "canonical"))
        found += [(join_url(response.url, h), "shortlink")
                  for h in root.xpath("//head/link[@rel='shortlink']/@href")]
        aliases: dict[str, str] = {}
        for joined, reason in found:
            if joined is None:
                continue
            alias = self.canonical(joined)
            if alias != url and self.site.allows(alias):
                aliases.setdefault(alias, reason)
        return [{"url": alias, "reason": reason} for alias, reason in aliases.items()]

    def role_links(self, root: HtmlElement, page_url: str, url: str) -> list[dict]:
        """The page's prev/next/read-also links that lead to articles, canonicalised."""
        links, seen = [], set()
        for link in find_links(root, page_url):
            dst = self.canonical(link.url)
            if dst != url and self.follows(dst) and (dst, link.role) not in seen:
                seen.add((dst, link.role))
                links.append({"dst": dst, "role": link.role, "rule": link.rule})
        return links

    def parse_article(self, response: Response, root: HtmlElement) -> Iterator[Any]:
        """Yield the article item, then a request for each linked article."""
        url = self.page_url(response, root)
        links = self.role_links(root, response.url, url)
        rest_post = self.rest_post_url(response, root)
        item = self.load_article(response, root, url, links)
        item["fetch"] = fetch_record(response)
        if rest_post and not item.get("dated_by_markup"):
            yield self.rest_post_request(rest_post, item)
        else:
            yield item
        streak = response.meta.get("known_streak", 0)
        for link in links:
            request = self.make_request(link["dst"], link["role"], url, streak)
            if request is not None:
                yield request

    def load_article(self, response: Response, root: HtmlElement, url: str,
                     links: list[dict]) -> Article:
        """Fill an Article with the loader (dates first: extraction edits the tree)."""
        sel = Selector(root=root, type="html")
        published, published_raw, dated_by_markup = dated_page(sel, self.timezone or "")
        modified = modified_from_page(sel, self.timezone or "")
        aliases = self.aliases(response, root, url)
        fields = extract_fields(root, self.profile)
        loader = ArticleLoader()
        loader.add_value("url", url)
        for name, value in fields.items():
            loader.add_value(name, value)
        loader.add_value("published", published)
        loader.add_value("published_raw", published_raw)
        loader.add_value("modified", modified)
        loader.add_value("status", response.status)
        loader.add_value("profile", self.profile.name)
        loader.add_value("fetched_at", now())
        item = loader.load_item()
        item["links"] = links
        item["aliases"] = aliases
        item["dated_by_markup"] = dated_by_markup
        item.setdefault("categories", [])
        item.setdefault("tags", [])
        body = item.get("body") or ""
        item["word_count"] = word_count(body)
        item["content_hash"] = content_hash(item.get("title") or "", body)
        return item

    @staticmethod
    def rest_post_url(response: Response, root: HtmlElement) -> str | None:
        """The post's WordPress REST address (core prints it in a ``rel=alternate`` link)."""
        for href in root.xpath("//head/link[@rel='alternate'][@type='application/json']/@href"):
            url = join_url(response.url, href)
            if url and "/wp-json/wp/v2/posts/" in url:
                return url
        return None

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
        bridge a chain break).  Other non-article pages are not expanded: a page reached
        from a listing that is not an article is a dead end, so calendars and endless
        pagination cannot trap the crawl, however long its real chains are."""
        role = response.meta.get("link_role")
        if role not in ("start", "bridge"):
            self.crawler.stats.inc_value("listing/not_expanded")
            return
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
