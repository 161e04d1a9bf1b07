"""Downloader middlewares of the crawler."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from w3lib.url import safe_url_string

from crawler.encoding import best_encoding, declared_encoding
from crawler.fetchlog import REDIRECT_STATUSES, redirected_from
from crawler.integrity import TruncatedResponse, truncation

# Scrapy looks for <meta http-equiv="refresh"> in a page's first 4,096 characters: at most
# four bytes each in the encodings that spell ASCII as ASCII.
_REFRESH_BYTES = 4 * 4096
_ASCII_SUPERSETS = re.compile(r"utf-?8|cp125\d|windows-125\d|iso-?8859|latin|ascii|koi8|gb|big5"
                              r"|shift_jis|euc", re.IGNORECASE)


class ContactUserAgentMiddleware:
    """Sends ``USER_AGENT`` with ``{contact}`` replaced by ``CRAWLER_CONTACT``, so
    every request names the project and how to reach whoever runs it."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        template = settings.get("USER_AGENT") or ""
        contact = settings.get("CRAWLER_CONTACT") or ""
        return cls(template.replace("{contact}", contact))

    def process_request(self, request: Request) -> None:
        if self.user_agent:
            request.headers.setdefault(b"User-Agent", self.user_agent)


class CharsetMiddleware:
    """Decodes HTML pages in the encoding their bytes are in, not the one they claim
    (see :func:`crawler.encoding.best_encoding`); counts ``encoding/fixed/<from>-><to>``.
    Off with ``ENCODING_ENABLED = False``."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        if not crawler.settings.getbool("ENCODING_ENABLED"):
            raise NotConfigured("ENCODING_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        declared = declared_encoding(response.body, content_type)
        encoding = best_encoding(response.body, declared)
        if encoding is None:
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"encoding/fixed/{declared or 'none'}->{encoding}")
        return response.replace(encoding=encoding)


class IntegrityMiddleware:
    """Retries a page that came cut short (reason ``truncated_html`` or ``dataloss``,
    see :func:`crawler.integrity.truncation`) and, when retries run out, fails it with
    :class:`~crawler.integrity.TruncatedResponse` so no half page is stored.
    Off with ``INTEGRITY_ENABLED = False``."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IntegrityMiddleware:
        if not crawler.settings.getbool("INTEGRITY_ENABLED"):
            raise NotConfigured("INTEGRITY_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        reason = truncation(response)
        if reason is None:
            return response
        assert self.crawler.stats is not None and self.crawler.spider is not None
        self.crawler.stats.inc_value(f"integrity/{reason}")
        retry = get_retry_request(request, spider=self.crawler.spider, reason=reason)
        if retry is not None:
            return retry
        self.crawler.stats.inc_value("integrity/gave_up")
        raise TruncatedResponse(f"{reason}: {len(response.body)} bytes from {response.url} "
                                "after retries", response=response)


class RedirectLoopMiddleware:
    """Guards Scrapy's redirects (it sees each 3xx before ``RedirectMiddleware``, 600):

    - a redirect back into its own chain fails as a loop, so it is recorded as a failed
      fetch (for the next run to try again) instead of vanishing in the duplicate filter;
    - the redirect's target is fetched even when this run fetched it already, so the
      redirecting URL (an old slug, a shortlink) is recorded as an alias of the article
      and the links that name it resolve to the article.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        chain = {safe_url_string(u) for u in redirected_from(request.meta)}
        if target in chain | {safe_url_string(request.url)}:
            raise IgnoreRequest(f"redirect loop: {request.url} -> {target}")
        # RedirectMiddleware copies this flag onto the request it builds for the target;
        # only for the same host, as the flag also exempts a request from the offsite filter.
        if urlsplit(target).netloc == urlsplit(request.url).netloc:
            request.dont_filter = True
        return response


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's ``MetaRefreshMiddleware``, which reads a page only when the word
    "refresh" is in its first bytes: Scrapy's strips tags and comments from every
    page's head first, for the few pages that redirect so."""

    def process_response(  # type: ignore[override]  # Scrapy 2.13+ passes no spider
            self, request: Request, response: Response) -> Request | Response:
        if (isinstance(response, HtmlResponse) and _ASCII_SUPERSETS.match(response.encoding)
                # (A case-blind regex search is six times slower than this copy.)
                and b"refresh" not in response.body[:_REFRESH_BYTES].lower()):
            return response
        return super().process_response(request, response)
