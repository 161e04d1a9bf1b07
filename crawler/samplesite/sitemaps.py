"""WordPress's own XML sitemaps (core, since 5.5): an index at ``/wp-sitemap.xml``, the
posts in pages of 2,000 with their last change, and the taxonomy and user sitemaps a
crawler of articles must pass over; and a Google News sitemap at ``/news-sitemap.xml``
(the path of Yoast's news plugin): the posts of the last two days, with their
publication date and no ``lastmod``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from html import escape

from crawler.samplesite import layout as L
from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.model import PLACEHOLDER as O
from crawler.samplesite.model import Page

PAGE_SIZE = 2000
#: How far back the news sitemap reaches from the newest post (Google News: two days).
NEWS_DAYS = timedelta(days=2)
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _xml(body: str) -> Page:
    return Page(200, (_HEAD + body).encode("utf-8"), "application/xml; charset=UTF-8")


def index(pages: int) -> Page:
    """The sitemap index: the posts' pages, then categories and users."""
    names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, pages + 1)]
    names += ["wp-sitemap-taxonomies-category-1.xml", "wp-sitemap-users-1.xml"]
    entries = "".join(f"<sitemap><loc>{O}/{name}</loc></sitemap>" for name in names)
    return _xml(f"<sitemapindex {_NS}>{entries}</sitemapindex>")


def posts_page(posts: list[Post]) -> Page:
    """One page of the posts sitemap, oldest first as WordPress lists them."""
    entries = "".join(
        f"<url><loc>{L.href(p.path)}</loc>"
        f"<lastmod>{(p.modified or p.published).isoformat(timespec='seconds')}</lastmod></url>"
        for p in posts)
    return _xml(f"<urlset {_NS}>{entries}</urlset>")


def others(posts: list[Post]) -> dict[str, Callable[[], Page]]:
    """Category and user sitemaps: not articles."""
    categories = sorted({c for p in posts for c in p.categories})
    authors = sorted({p.author[1] for p in posts})
    return {
        "/wp-sitemap-taxonomies-category-1.xml": partial(_xml, f"<urlset {_NS}>" + "".join(
            f"<url><loc>{L.href(f'/category/{c}/')}</loc></url>" for c in categories)
            + "</urlset>"),
        "/wp-sitemap-users-1.xml": partial(_xml, f"<urlset {_NS}>" + "".join(
            f"<url><loc>{O}/author/{a}/</loc></url>" for a in authors) + "</urlset>"),
    }


def news(posts: list[Post]) -> Page:
    """The news sitemap: posts published in the two days up to the newest, newest first."""
    since = posts[-1].published - NEWS_DAYS if posts else None
    entries = []
    for post in reversed(posts):
        if since is None or post.published < since:
            break
        entries.append(
            f"<url><loc>{L.href(post.path)}</loc><news:news><news:publication>"
            f"<news:name>{W.SITE_NAME}</news:name><news:language>ar</news:language>"
            f"</news:publication><news:publication_date>"
            f"{post.published.isoformat(timespec='seconds')}</news:publication_date>"
            f"<news:title>{escape(post.title)}</news:title></news:news></url>")
    return _xml(f'<urlset {_NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                + "".join(entries) + "</urlset>")


def sitemaps(posts: list[Post]) -> dict[str, Callable[[], Page]]:
    """Every sitemap page of the site, keyed by path."""
    chunks = [posts[i:i + PAGE_SIZE] for i in range(0, len(posts), PAGE_SIZE)] or [[]]
    makers: dict[str, Callable[[], Page]] = {"/wp-sitemap.xml": partial(index, len(chunks))}
    for number, chunk in enumerate(chunks, 1):
        makers[f"/wp-sitemap-posts-post-{number}.xml"] = partial(posts_page, chunk)
    makers.update(others(posts))
    makers["/news-sitemap.xml"] = partial(news, posts)
    return makers
