"""Reading RSS and Atom feeds as WordPress and other systems publish them, and the
feeds a page names in its head."""

from __future__ import annotations

import doctest
from pathlib import Path

import lxml.html
import pytest

from crawler import feeds
from crawler.feeds import feed_links, read_feed
from crawler.sitemaps import Entry

FIXTURES = Path(__file__).parent / "fixtures"
NEWS = "https://news.example"
TOBACCO = (f"{NEWS}/2025/01/14/%d8%ad%d9%85%d9%84%d8%a9-%d8%af%d8%b9%d9%85-"
           "%d9%85%d8%b2%d8%a7%d8%b1%d8%b9%d9%8a-%d8%a7%d9%84%d8%aa%d8%a8%d8%ba/")
TYRE = f"{NEWS}/2025/01/13/%d8%a8%d9%84%d8%af%d9%8a%d8%a9-%d8%b5%d9%88%d8%b1/"


def fixture(name: str) -> bytes:
    return (FIXTURES / "discovery" / name).read_bytes()


def test_wordpress_rss_gives_each_item_link_and_date():
    body = fixture("wordpress_feed.xml")
    assert body.startswith(b"\n<?xml")  # the stray blank line some themes print
    # Not the channel's link or image link, not the comment links or guids.
    assert read_feed(body) == [Entry(TOBACCO, "2025-01-14T08:30:00+00:00"),
                               Entry(TYRE, "2025-01-13T17:05:09+00:00")]


def test_atom_gives_each_entry_alternate_link_and_last_change():
    assert read_feed(fixture("atom_feed.xml")) == [Entry(TOBACCO, "2025-01-15T10:00:00+00:00"),
                                                   Entry(TYRE, "2025-01-13T17:05:09+00:00")]


def test_rss_1_0_and_dublin_core_dates():
    body = ('<?xml version="1.0" encoding="utf-8"?><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{NEWS}/"><title>أخبار</title><link>{NEWS}/</link></channel>'
            f'<item rdf:about="{TYRE}"><title>صور</title><link>{TYRE}</link>'
            "<dc:date>2025-01-13T19:05:09+02:00</dc:date></item></rdf:RDF>").encode()
    assert read_feed(body) == [Entry(TYRE, "2025-01-13T19:05:09+02:00")]


def test_feedburner_original_link_and_permalink_guids():
    body = ('<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">'
            "<channel><item><link>https://feedproxy.example/~r/news/~3/abc/</link>"
            f"<feedburner:origLink>{TYRE}</feedburner:origLink></item>"
            f'<item><guid>{TOBACCO}</guid><pubDate>not a date</pubDate></item>'
            f'<item><guid isPermaLink="false">{NEWS}/?p=1</guid></item>'
            "</channel></rss>").encode()
    assert read_feed(body) == [Entry(TYRE, None), Entry(TOBACCO, None)]


@pytest.mark.parametrize("body", [
    b"", b"<html><head><title>404</title></head><body>not here</body></html>",
    b'<urlset><url><loc>https://a.com/x/</loc></url></urlset>', b"\xff\xfe garbage",
])
def test_what_is_no_feed_gives_nothing(body):
    assert read_feed(body) == []


def test_wordpress_pages_name_their_feeds_but_not_comment_feeds():
    pages = FIXTURES / "pages"
    # The home page names the site's feed and its comments feed; an article its own
    # comments feed too; a category archive the category's feed.
    for name, expected in (("wp_twentytwentyfive.html", [f"{NEWS}/feed/"]),
                           ("wp_twentytwentyone.html", [f"{NEWS}/feed/"]),
                           ("wp_twentytwentyone_category.html", [
                               f"{NEWS}/category/%d8%a7%d9%86%d8%aa%d8%ae%d8%a7%d8%a8%d8%a7%d8%aa"
                               "/feed/"])):
        root = lxml.html.fromstring((pages / name).read_bytes())
        assert feed_links(root, f"{NEWS}/") == expected, name


def test_feed_links_of_every_type_relative_and_once():
    root = lxml.html.fromstring(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed/">'
        '<link rel="alternate" type="application/atom+xml" href="/feed/atom/">'
        '<link rel="alternate" type="application/rss+xml" href="https://news.example/feed/">'
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/2">'
        '<link rel="alternate" hreflang="en" href="/en/">'
        '<link rel="alternate" type="application/rss+xml" title="Site » Comments Feed" '
        'href="/?feed=comments-rss2"></head><body></body></html>')
    assert feed_links(root, f"{NEWS}/") == [f"{NEWS}/feed/", f"{NEWS}/feed/atom/"]


def test_feeds_doctests():
    result = doctest.testmod(feeds)
    assert result.failed == 0 and result.attempted > 0
