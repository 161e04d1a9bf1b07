"""Downloader middlewares built from a crawler's settings, on responses made here."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.middlewares import QuickMetaRefreshMiddleware

URL = "http://site.example/2024/05/01/old/"
REFRESH = '<meta http-equiv="{}" content="0; url=/2024/05/01/new/">'


def page(head: str, encoding: str = "utf-8") -> HtmlResponse:
    html = f"<html><head><title>خبر</title>{head}</head><body><p>نص</p></body></html>"
    return HtmlResponse(URL, body=html.encode(encoding), encoding=encoding,
                        request=Request(URL))


@pytest.fixture
def middleware() -> QuickMetaRefreshMiddleware:
    return build_from_crawler(QuickMetaRefreshMiddleware, get_crawler())


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1256", "utf-16"])
@pytest.mark.parametrize("spelling", ["refresh", "Refresh", "REFRESH"])
def test_a_meta_refresh_is_followed_in_any_case_and_encoding(middleware, encoding, spelling):
    response = page(REFRESH.format(spelling), encoding)
    result = middleware.process_response(response.request, response)
    assert isinstance(result, Request)
    # (Scrapy's own reading of a UTF-16 page appends the byte-order mark as a query.)
    assert result.url.partition("?")[0] == "http://site.example/2024/05/01/new/"


def test_a_page_without_one_is_passed_on_as_it_is(middleware):
    response = page('<meta name="description" content="خبر">')
    assert middleware.process_response(response.request, response) is response


def test_a_refresh_in_a_comment_is_no_redirect(middleware):
    # The word is there, so Scrapy's own reading decides: comments do not count.
    response = page(f"<!-- {REFRESH.format('refresh')} -->")
    assert middleware.process_response(response.request, response) is response
