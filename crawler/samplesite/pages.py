"""The site's other pages: home, archives, feed, robots.txt, shortlinks and 404."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from html import escape

from crawler.samplesite import layout as L
from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.day import Day
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


def listing(title: str, posts: list[Post], chrome: L.Chrome, body_class: str, canonical: str,
            day: Day, top: str = "") -> Page:
    """A listing of *posts* (the newest first, at most ten); it last changed when the
    newest of them did."""
    entries = "\n".join(summary(p) for p in posts) or '<p class="no-results">لا توجد مقالات.</p>'
    main = (f'{top}<header class="page-header"><h1 class="page-title">{escape(title)}</h1>'
            f"</header>\n{entries}")
    head = f'<link rel="canonical" href="{canonical}">' + day.script(canonical)
    html = L.page(title=title, body_class=body_class, main=main, chrome=chrome, head=head)
    return Page(200, html.encode("utf-8"), last_modified=latest_change(posts))


def latest_change(posts: list[Post]) -> datetime | None:
    """When the newest change among *posts* happened."""
    return max((p.modified or p.published for p in posts), default=None)


def newest(chain: list[Post], wanted: Callable[[Post], bool] = lambda p: True) -> list[Post]:
    """The ten newest chain articles that are *wanted*, newest first."""
    found = []
    for post in reversed(chain):
        if wanted(post):
            found.append(post)
            if len(found) == LISTING_SIZE:
                break
    return found


def home(posts: list[Post], chain: list[Post], chrome: L.Chrome, day: Day) -> Page:
    """The home page: the newest chain articles under a breaking-news ticker that
    names the newest article (the only way to an off-chain article nobody links to yet)."""
    latest = posts[-1]
    ticker = (f'<div class="breaking-news"><span class="breaking-label">عاجل</span>'
              f'<h4 class="breaking-title"><a href="{L.href(latest.path)}">'
              f"{escape(latest.title)}</a></h4></div>\n")
    page = listing("آخر الأخبار", newest(chain), chrome, "home blog", O + "/", day, ticker)
    return replace(page, last_modified=latest_change(newest(chain) + [latest]))


def listings(posts: list[Post], chain: list[Post], chrome: L.Chrome,
             day: Day) -> dict[str, Callable[[], Page]]:
    """Home, category, tag and author archives (chain articles only), keyed by
    encoded path, each rendered when first asked for."""
    pages: dict[str, Callable[[], Page]] = {"/": partial(home, posts, chain, chrome, day)}
    for kind, label, names in (("category", "التصنيف", W.CATEGORIES), ("tag", "الوسم", W.TAGS)):
        for name in names:
            path = L.term_path(kind, name)
            pages[encode_path(path)] = partial(archive, f"{label}: {name}", chain, chrome,
                                               f"archive {kind}", path, day,
                                               partial(in_term, kind, name))
    for display, slug in W.AUTHORS:
        path = f"/author/{slug}/"
        pages[path] = partial(archive, f"الكاتب: {display}", chain, chrome, "archive author",
                              path, day, partial(by_author, slug))
    return pages


def archive(title: str, chain: list[Post], chrome: L.Chrome, body_class: str, path: str,
            day: Day, wanted: Callable[[Post], bool]) -> Page:
    """A category, tag or author archive."""
    return listing(title, newest(chain, wanted), chrome, body_class, L.url(path), day)


def in_term(kind: str, name: str, post: Post) -> bool:
    """True when *post* is filed under the category or tag *name*."""
    return name in (post.categories if kind == "category" else post.tags)


def by_author(slug: str, post: Post) -> bool:
    """True when *post* is by the author *slug*."""
    return post.author[1] == slug


def feed(chain: list[Post]) -> Page:
    """A minimal RSS 2.0 feed of the newest chain articles."""
    items = []
    for post in newest(chain):
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
    return Page(200, body.encode("utf-8"), "application/rss+xml; charset=UTF-8",
                last_modified=latest_change(newest(chain)))


def not_found(chrome: L.Chrome) -> Page:
    """WordPress's 404 page."""
    main = ('<section class="error-404 not-found"><header class="page-header">'
            '<h1 class="page-title">عذراً، هذه الصفحة غير موجودة.</h1></header>'
            '<div class="page-content"><p>يبدو أنه لم يُعثر على شيء هنا. جرّب البحث.</p>'
            f'<form role="search" method="get" class="search-form" action="{O}/">'
            '<input type="search" class="search-field" name="s"></form></div></section>')
    return html_page(L.page(title="الصفحة غير موجودة", body_class="error404", main=main,
                            chrome=chrome), status=404)


def shortlinks(posts: list[Post]) -> dict[str, Callable[[], Page]]:
    """``/?p=ID`` answers 301 to the permalink, as WordPress prints it."""
    pages: dict[str, Callable[[], Page]] = {f"/?p={p.id}": partial(redirect, p.path)
                                             for p in posts}
    pages.update({f"/?p={p.copy_id}": partial(redirect, p.copy_path)
                  for p in posts if p.copy_path})
    return pages


def redirect(path: str) -> Page:
    """A permanent redirect to *path* as WordPress prints it."""
    return Page(301, location=L.href(path))


def rest_index() -> Page:
    """``/wp-json/``: the REST API index, with the site's time zone as WordPress gives it."""
    index = {"name": W.SITE_NAME, "url": O, "home": O, "gmt_offset": "3",
             "timezone_string": "Asia/Beirut", "namespaces": ["wp/v2"]}
    return Page(200, json.dumps(index, ensure_ascii=False).encode("utf-8"),
                "application/json; charset=UTF-8")


def robots() -> Page:
    """robots.txt: WordPress's default."""
    return Page(200, ROBOTS, "text/plain; charset=utf-8")

