"""The article spider: walks prev/next and read-also links from a few start pages."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import scrapy
from lxml.html import HtmlElement
from parsel import Selector
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler.dates import modified_from_page, published_from_page
from crawler.extract import css, extract_fields, json_ld, meta
from crawler.items import Article
from crawler.links import find_links
from crawler.loaders import ArticleLoader
from crawler.profiles import Profile, get_profile
from crawler.text import content_hash, word_count
from crawler.urls import SiteURLs, canonicalize_url, check_url, join_url

_SHORTLINK = re.compile(r"^(p|page_id)=\d+$")
_SINGLE_BODY_CLASSES = {"single", "single-post", "single-format-standard"}
_ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")


def split_urls(value: str | Iterable[str] | None) -> list[str]:
    """Start URLs from a ``-a start_urls=`` string (comma or space separated) or a list."""
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    return [check_url(url) for url in value if url.strip()]


def site_timezone(body: bytes) -> str | None:
    """The IANA zone in a WordPress REST index (``timezone_string``, else a whole-hour
    ``gmt_offset`` as ``Etc/GMT-N``), or None.

    >>> site_timezone(b'{"timezone_string": "Asia/Beirut", "gmt_offset": 3}')
    'Asia/Beirut'
    >>> site_timezone(b'{"timezone_string": "", "gmt_offset": "3"}')
    'Etc/GMT-3'
    >>> site_timezone(b'<html>') is None
    True
    """
    try:
        index = json.loads(body)
        zone = index.get("timezone_string") or ""
        if not zone:
            offset = float(index.get("gmt_offset"))
            zone = f"Etc/GMT{-int(offset):+d}" if offset.is_integer() else ""
        ZoneInfo(zone)
    except (ValueError, TypeError, AttributeError, ZoneInfoNotFoundError):
        return None
    return zone or None


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
        self.allowed_domains = self.site.domains
        self._non_article = [re.compile(p) for p in self.profile.non_article]
        self._article_path = re.compile(self.profile.article_path or "") \
            if self.profile.article_path else None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ArticleSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # SITE_TIMEZONE: zone of visible dates that carry no offset, over the profile's.
        spider.timezone = crawler.settings.get("SITE_TIMEZONE") or spider.profile.timezone
        return spider

    @staticmethod
    def _site_urls(profile: Profile, start_urls: list[str]) -> SiteURLs:
        # The profile's own hosts keep its canonical scheme; other start hosts keep theirs.
        known = [f"{profile.scheme or 'https'}://{host}/" for host in profile.hosts]
        site = SiteURLs.from_urls(known, scheme=profile.scheme)
        others = SiteURLs.from_urls(start_urls)
        return SiteURLs(hosts={**others.hosts, **site.hosts})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.timezone is None:
            # Learn the site's zone first, so no visible date is read in the wrong one.
            index = urljoin(self.start_urls[0], "/wp-json/")
            yield scrapy.Request(index, callback=self.parse_site_index, dont_filter=True,
                                 errback=self.site_index_failed, meta={"link_role": "site_index"})
        else:
            for request in self.start_requests_():
                yield request

    def start_requests_(self) -> list[scrapy.Request]:
        """Requests for the start pages."""
        return [scrapy.Request(url, callback=self.parse, meta={"link_role": "start"})
                for url in self.start_urls]

    def parse_site_index(self, response: Response) -> list[scrapy.Request]:
        """Take the time zone from WordPress's REST index, then start the crawl."""
        self.timezone = site_timezone(response.body) or "UTC"
        self.logger.info("time zone of %s: %s", response.url, self.timezone)
        return self.start_requests_()

    def site_index_failed(self, failure: Failure) -> list[scrapy.Request]:
        """No REST index: read dates without an offset as UTC."""
        self.timezone = "UTC"
        self.logger.info("no WordPress REST index (%s); dates without offset read as UTC",
                         failure.getErrorMessage())
        return self.start_requests_()

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Article | scrapy.Request]:
        """Articles become items (and their links requests); other pages are listings."""
        if not isinstance(response, HtmlResponse):
            return
        root = response.selector.root
        if self.is_article(root, response.url):
            yield from self.parse_article(response, root)
        else:
            yield from self.parse_listing(response, root)

    def is_article(self, root: HtmlElement, url: str) -> bool:
        """True for a single-article page (by the profile's URL pattern, else by markup)."""
        if self.is_excluded(url):
            return False
        if self._article_path is not None:
            return bool(self._article_path.match(urlsplit(url).path))
        if "article" in [v.lower() for v in meta(root, "og:type")]:
            return True
        body_classes = set(" ".join(root.xpath("//body/@class")).split())
        if body_classes & _SINGLE_BODY_CLASSES or any(c.startswith("postid-")
                                                      for c in body_classes):
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
        item = self.load_article(response, root, url, links)
        yield item
        for link in links:
            yield response.follow(link["dst"], callback=self.parse,
                                  meta={"link_role": link["role"], "link_src": url})

    def load_article(self, response: Response, root: HtmlElement, url: str,
                     links: list[dict]) -> Article:
        """Fill an Article with the loader (dates first: extraction edits the tree)."""
        sel = Selector(root=root, type="html")
        published, published_raw = published_from_page(sel, self.timezone or "UTC")
        modified = modified_from_page(sel, self.timezone or "UTC")
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
        loader.add_value("fetched_at", datetime.now(UTC).isoformat(timespec="seconds"))
        item = loader.load_item()
        item["links"] = links
        item["aliases"] = aliases
        item.setdefault("categories", [])
        item.setdefault("tags", [])
        body = item.get("body") or ""
        item["word_count"] = word_count(body)
        item["content_hash"] = content_hash(item.get("title") or "", body)
        return item

    def parse_listing(self, response: Response, root: HtmlElement) -> Iterator[scrapy.Request]:
        """Follow the article links of a home or archive page."""
        seen = set()
        for query in self.profile.listing_link_css:
            for a in css(root, query):
                href = a.get("href")
                if not href:
                    continue
                joined = join_url(response.url, href)
                if joined is None:
                    continue
                url = self.canonical(joined)
                if url not in seen and self.follows(url):
                    seen.add(url)
                    yield scrapy.Request(url, callback=self.parse,
                                         meta={"link_role": "listing",
                                               "link_src": self.canonical(response.url)})
