"""Entering a site through its XML sitemaps, as WordPress and SEO plugins publish them.

Prev/next and read-also links define the link graph, but a chain misses what it
does not link: two posts published in the same second (WordPress's adjacent-post
query skips one), posts of a broken chain.  A sitemap lists every published post,
with the time of its last change where the site gives it.

Where sitemaps are: ``robots.txt`` names them in ``Sitemap:`` lines (WordPress core,
Yoast, Rank Math and the news plugins add theirs), and ``/wp-sitemap.xml`` is core's
own address (since 5.5; Yoast and Rank Math redirect it to their ``/sitemap_index.xml``).
An index lists child sitemaps, of which only those that may list posts are read (not
pages, taxonomies, users or media).  Sitemaps may be gzipped (``.xml.gz``).  A Google
News sitemap gives each recent post's ``<news:publication_date>``, read as its
``lastmod`` when it has none of its own.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from urllib.parse import urlsplit

from lxml import etree
from protego import Protego
from scrapy.utils.gz import gunzip

from crawler.urls import join_url

# Sitemaps of things that are not posts: pages, taxonomies, users, media.
_NOT_POSTS = frozenset({"page", "pages", "taxonomy", "taxonomies", "category", "categories",
                        "tag", "tags", "post_tag", "user", "users", "author", "authors",
                        "attachment", "image", "images", "video", "videos", "local"})
_ENTRY_TAGS = frozenset({"url", "sitemap"})
# The end of a whole sitemap: its root element closed.
_CLOSED = re.compile(rb"</([\w.-]+:)?(urlset|sitemapindex)\s*>")
# Where a Google News sitemap dates a post, when the entry has no <lastmod>.
_NEWS_DATE = etree.XPath("./*[local-name()='news']/*[local-name()='publication_date']/text()")


@dataclass(frozen=True)
class Entry:
    """One ``<url>`` or ``<sitemap>`` of a sitemap (or item of a feed): its address
    and the time of its last change, when known."""

    loc: str
    lastmod: str | None


def sitemap_urls(origin: str) -> list[str]:
    """Where a WordPress site keeps its sitemap index.

    >>> sitemap_urls("https://site.com")
    ['https://site.com/wp-sitemap.xml']
    """
    return [f"{origin}/wp-sitemap.xml"]


def robots_sitemaps(body: bytes, base: str) -> list[str]:
    """The sitemaps a robots.txt names, absolute, in order, each once.

    >>> robots_sitemaps(b"User-agent: *\\nDisallow: /wp-admin/\\n\\n"
    ...                 b"Sitemap: https://a.com/sitemap_index.xml\\nsitemap: /news.xml\\n",
    ...                 "https://a.com/robots.txt")
    ['https://a.com/sitemap_index.xml', 'https://a.com/news.xml']
    """
    parser = Protego.parse(body.decode("utf-8", "replace"))
    found = (join_url(base, url) for url in parser.sitemaps)
    return list(dict.fromkeys(url for url in found if url))


def read(body: bytes, max_size: int = 0) -> tuple[str, list[Entry]]:
    """The kind (``urlset`` or ``sitemapindex``, ``""`` when unreadable) and the
    entries of a sitemap, gzipped or not (at most *max_size* bytes once unzipped;
    0: no limit).

    >>> read(b'<urlset><url><loc>https://a.com/x/</loc><lastmod>2024-05-01</lastmod></url></urlset>')
    ('urlset', [Entry(loc='https://a.com/x/', lastmod='2024-05-01')])
    >>> read(b"<html>not a sitemap")
    ('', [])
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, EOFError, ValueError, struct.error):
            return "", []
    events = etree.iterparse(BytesIO(body), events=("start", "end"), recover=True,
                             resolve_entities=False, no_network=True, remove_comments=True,
                             remove_pis=True, collect_ids=False)
    kind = ""
    entries: list[Entry] = []
    try:
        _, root = next(events)
        kind = local_name(root)
        if kind not in ("urlset", "sitemapindex"):
            return "", []
        for event, element in events:
            if event == "end" and local_name(element) in _ENTRY_TAGS:
                if (entry := _entry(element)) is not None:
                    entries.append(entry)
                _forget(element)
    except StopIteration:  # nothing at all
        pass
    except etree.Error:  # not XML, or damaged: keep what came before the damage
        pass
    if kind not in ("urlset", "sitemapindex"):
        return "", []
    if entries and not _CLOSED.search(body[-4096:]):
        entries.pop()  # cut short: the last entry's address may be cut too
    return kind, entries


def local_name(element: etree._Element) -> str:
    """The tag of *element* without its namespace ("" for comments and the like)."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _entry(element: etree._Element) -> Entry | None:
    """The address and last change of one ``<url>``/``<sitemap>`` element."""
    fields = {local_name(child): (child.text or "").strip() for child in element}
    if not fields.get("loc"):
        return None
    news_date = _NEWS_DATE(element)
    lastmod = fields.get("lastmod") or (news_date[0].strip() if news_date else "")
    return Entry(fields["loc"], lastmod or None)


def _forget(element: etree._Element) -> None:
    """Free a read entry and those before it: a sitemap may list 50,000 URLs."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def lists_posts(sitemap_url: str) -> bool:
    """True for a child sitemap that may list posts (not pages, terms, users or media).

    >>> [lists_posts(u) for u in ("https://a.com/wp-sitemap-posts-post-1.xml",
    ...  "https://a.com/wp-sitemap-posts-page-1.xml", "https://a.com/post-sitemap2.xml",
    ...  "https://a.com/wp-sitemap-users-1.xml", "https://a.com/category-sitemap.xml",
    ...  "https://a.com/news-sitemap.xml", "https://a.com/post_tag-sitemap.xml.gz")]
    [True, False, True, False, False, True, False]
    """
    name = urlsplit(sitemap_url).path.rsplit("/", 1)[-1].lower()
    return not _NOT_POSTS & set(re.split(r"[-.\d]+", name))


def changed_since(lastmod: str | None, fetched_at: str | None) -> bool:
    """True when a sitemap's *lastmod* is later than our last fetch of the page.

    >>> changed_since("2024-05-02T10:00:00+03:00", "2024-05-02T06:00:00+00:00")
    True
    >>> changed_since("2024-05-01", "2024-05-02T06:00:00+00:00")
    False
    >>> changed_since(None, "2024-05-02T06:00:00+00:00")
    False
    """
    if not lastmod or not fetched_at:
        return False
    try:
        when = datetime.fromisoformat(lastmod.replace("Z", "+00:00"))
        seen = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=seen.tzinfo)
    return when > seen
