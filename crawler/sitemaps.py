"""Entering a site through its XML sitemaps, as WordPress and SEO plugins publish them.

Prev/next and read-also links define the link graph, but a chain misses what it
does not link: two posts published in the same second (WordPress's adjacent-post
query skips one), posts of a broken chain.  ``/wp-sitemap.xml`` (core, since 5.5; Yoast
redirects it to its ``/sitemap_index.xml``) lists every published post, with the time
of its last change where the site gives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

# Sitemaps of things that are not posts: pages, taxonomies, users, media.
_NOT_POSTS = frozenset({"page", "pages", "taxonomy", "taxonomies", "category", "categories",
                        "tag", "tags", "post_tag", "user", "users", "author", "authors",
                        "attachment", "image", "images", "video", "videos"})


@dataclass(frozen=True)
class Entry:
    """One ``<url>`` or ``<sitemap>`` of a sitemap: its address and last change."""

    loc: str
    lastmod: str | None


def sitemap_urls(origin: str) -> list[str]:
    """Where a WordPress site keeps its sitemap index.

    >>> sitemap_urls("https://site.com")
    ['https://site.com/wp-sitemap.xml']
    """
    return [f"{origin}/wp-sitemap.xml"]


def read(body: bytes) -> tuple[str, list[Entry]]:
    """The kind (``urlset`` or ``sitemapindex``, ``""`` when unreadable) and the
    entries of a sitemap, gzipped or not.

    >>> read(b'<urlset><url><loc>https://a.com/x/</loc><lastmod>2024-05-01</lastmod></url></urlset>')
    ('urlset', [Entry(loc='https://a.com/x/', lastmod='2024-05-01')])
    >>> read(b"<html>not a sitemap")
    ('', [])
    """
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body)
        except (OSError, ValueError):
            return "", []
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml raises several kinds on bytes that are not XML
        return "", []
    kind = sitemap.type if sitemap.type in ("urlset", "sitemapindex") else ""
    entries = [Entry(e["loc"].strip(), (e.get("lastmod") or "").strip() or None)
               for e in _entries(sitemap) if e.get("loc")]
    return kind, entries


def _entries(sitemap: Sitemap) -> Iterator[dict]:
    try:
        yield from sitemap
    except Exception:  # a sitemap cut short: keep what came before the damage
        return


def lists_posts(sitemap_url: str) -> bool:
    """True for a child sitemap that may list posts (not pages, terms or users).

    >>> [lists_posts(u) for u in ("https://a.com/wp-sitemap-posts-post-1.xml",
    ...  "https://a.com/wp-sitemap-posts-page-1.xml", "https://a.com/post-sitemap2.xml",
    ...  "https://a.com/wp-sitemap-users-1.xml", "https://a.com/category-sitemap.xml")]
    [True, False, True, False, False]
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
