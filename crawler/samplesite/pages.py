"""The site's other pages: home, archives, feed, robots.txt, shortlinks and 404."""

from __future__ import annotations

import json
from datetime import UTC
from email.utils import format_datetime
from html import escape

from crawler.samplesite import layout as L
from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.model import PLACEHOLDER as O
from crawler.samplesite.model import Page, encode_path

LISTING_SIZE = 10
ROBOTS = b"User-agent: *\nDisallow: /wp-admin/\n"


def html_page(body: str, status: int = 200) -> Page:
    """An HTML page from its text."""
    return Page(status, body.encode("utf-8"))


def summary(post: Post) -> str:
    """A post's entry on a listing page: linked title, date and excerpt."""
    excerpt = " ".join(post.body.split()[:25])
    return (f'<article class="post-{post.id} post type-post"><header class="entry-header">'
            f'<h2 class="entry-title"><a href="{L.href(post.path)}" rel="bookmark">'
            f"{escape(post.title)}</a></h2>"
            f'<div class="entry-meta"><time class="entry-date published" '
            f'datetime="{L.iso(post.published)}">{L.arabic_date(post.published)}</time></div>'
            f'</header><div class="entry-summary"><p>{excerpt} [&hellip;]</p></div></article>')


def listing(title: str, posts: list[Post], chrome: L.Chrome, body_class: str,
            canonical: str) -> Page:
    """A listing of the newest *posts* (at most ten), newest first."""
    newest = list(reversed(posts[-LISTING_SIZE:]))
    entries = "\n".join(summary(p) for p in newest) or '<p class="no-results">لا توجد مقالات.</p>'
    main = (f'<header class="page-header"><h1 class="page-title">{escape(title)}</h1></header>\n'
            f"{entries}")
    head = f'<link rel="canonical" href="{canonical}">'
    return html_page(L.page(title=title, body_class=body_class, main=main, chrome=chrome,
                            head=head))


def listings(chain: list[Post], chrome: L.Chrome) -> dict[str, Page]:
    """Home, category, tag and author archives (chain articles only), keyed by
    encoded path."""
    pages = {"/": listing("آخر الأخبار", chain, chrome, "home blog", O + "/")}
    for kind, label, names in (("category", "التصنيف", W.CATEGORIES), ("tag", "الوسم", W.TAGS)):
        for name in names:
            path = L.term_path(kind, name)
            members = [p for p in chain if name in (p.categories if kind == "category" else p.tags)]
            pages[encode_path(path)] = listing(f"{label}: {name}", members, chrome,
                                               f"archive {kind}", L.url(path))
    for display, slug in W.AUTHORS:
        path = f"/author/{slug}/"
        members = [p for p in chain if p.author[1] == slug]
        pages[path] = listing(f"الكاتب: {display}", members, chrome, "archive author",
                              L.url(path))
    return pages


def feed(chain: list[Post]) -> Page:
    """A minimal RSS 2.0 feed of the newest chain articles."""
    items = []
    for post in reversed(chain[-LISTING_SIZE:]):
        cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in post.categories)
        items.append(
            f"<item><title>{escape(post.title)}</title><link>{L.href(post.path)}</link>"
            f"<dc:creator><![CDATA[{post.author[0]}]]></dc:creator>"
            f"<pubDate>{format_datetime(post.published.astimezone(UTC))}"
            f"</pubDate>{cats}<guid isPermaLink=\"false\">{O}/?p={post.id}</guid></item>")
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>{W.SITE_NAME}</title>'
            f'<atom:link href="{O}/feed/" rel="self" type="application/rss+xml"/>'
            f"<link>{O}</link><description>أخبار الجنوب ولبنان</description>"
            f"<language>ar</language>{''.join(items)}</channel></rss>\n")
    return Page(200, body.encode("utf-8"), "application/rss+xml; charset=UTF-8")


def not_found(chrome: L.Chrome) -> Page:
    """WordPress's 404 page."""
    main = ('<section class="error-404 not-found"><header class="page-header">'
            '<h1 class="page-title">عذراً، هذه الصفحة غير موجودة.</h1></header>'
            '<div class="page-content"><p>يبدو أنه لم يُعثر على شيء هنا. جرّب البحث.</p>'
            f'<form role="search" method="get" class="search-form" action="{O}/">'
            '<input type="search" class="search-field" name="s"></form></div></section>')
    return html_page(L.page(title="الصفحة غير موجودة", body_class="error404", main=main,
                            chrome=chrome), status=404)


def shortlinks(posts: list[Post]) -> dict[str, Page]:
    """``/?p=ID`` answers 301 to the permalink, as WordPress prints it."""
    pages = {f"/?p={p.id}": Page(301, location=L.href(p.path)) for p in posts}
    pages.update({f"/?p={p.copy_id}": Page(301, location=L.href(p.copy_path))
                  for p in posts if p.copy_path})
    return pages


def rest_index() -> Page:
    """``/wp-json/``: the REST API index, with the site's time zone as WordPress gives it."""
    index = {"name": W.SITE_NAME, "url": O, "home": O, "gmt_offset": "3",
             "timezone_string": "Asia/Beirut", "namespaces": ["wp/v2"]}
    return Page(200, json.dumps(index, ensure_ascii=False).encode("utf-8"),
                "application/json; charset=UTF-8")


def robots() -> Page:
    """robots.txt: WordPress's default."""
    return Page(200, ROBOTS, "text/plain; charset=utf-8")

