"""The site's other pages: home, feed, robots.txt, shortlinks, the REST index and 404."""

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
from crawler.samplesite.model import Page

LISTING_SIZE = 10
#: The sitemaps robots.txt names: WordPress core's index and a news plugin's.
ROBOTS_SITEMAPS = ("/wp-sitemap.xml", "/news-sitemap.xml")


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


def newest(chain: list[Post]) -> list[Post]:
    """The ten newest chain articles, newest first."""
    return chain[-LISTING_SIZE:][::-1]


def home(posts: list[Post], chain: list[Post], chrome: L.Chrome, day: Day) -> Page:
    """The home page: the newest chain articles under a breaking-news ticker that
    names the newest article (the only link to an off-chain article nobody links to
    yet; the sitemaps, the feed and the archives list it too)."""
    latest = posts[-1]
    ticker = (f'<div class="breaking-news"><span class="breaking-label">عاجل</span>'
              f'<h4 class="breaking-title"><a href="{L.href(latest.path)}">'
              f"{escape(latest.title)}</a></h4></div>\n")
    page = listing("آخر الأخبار", newest(chain), chrome, "home blog", O + "/", day, ticker)
    return replace(page, last_modified=latest_change(newest(chain) + [latest]))


def feed(posts: list[Post]) -> Page:
    """WordPress's RSS 2.0 feed at ``/feed/``: the ten newest posts, with their
    excerpt as the description."""
    newest = posts[::-1][:LISTING_SIZE]
    items = "".join(feed_item(p) for p in newest)
    changed = latest_change(newest)
    built = format_datetime(changed.astimezone(UTC)) if changed else ""
    body = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
            '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
            '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n\t>\n\n'
            f"<channel>\n\t<title>{W.SITE_NAME}</title>\n"
            f'\t<atom:link href="{O}/feed/" rel="self" type="application/rss+xml" />\n'
            f"\t<link>{O}</link>\n\t<description>أخبار الجنوب ولبنان</description>\n"
            f"\t<lastBuildDate>{built}</lastBuildDate>\n\t<language>ar</language>\n"
            "\t<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n"
            "\t<sy:updateFrequency>\n\t1\t</sy:updateFrequency>\n"
            "\t<generator>https://wordpress.org/?v=6.5.3</generator>\n"
            f"{items}\t</channel>\n</rss>\n")
    return Page(200, body.encode("utf-8"), "application/rss+xml; charset=UTF-8",
                last_modified=changed)


def feed_item(post: Post) -> str:
    """One ``<item>`` of the feed, as WordPress prints it."""
    link = L.href(post.path)
    cats = "".join(f"\t\t<category><![CDATA[{c}]]></category>\n" for c in post.categories)
    excerpt = " ".join(post.body.split()[:55])
    return (f"\t<item>\n\t\t<title>{escape(post.title)}</title>\n\t\t<link>{link}</link>\n"
            f"\t\t<comments>{link}#respond</comments>\n"
            f"\t\t<dc:creator><![CDATA[{post.author[0]}]]></dc:creator>\n"
            f"\t\t<pubDate>{format_datetime(post.published.astimezone(UTC))}</pubDate>\n"
            f'{cats}\t\t<guid isPermaLink="false">{O}/?p={post.id}</guid>\n\n'
            f"\t\t<description><![CDATA[{excerpt} [&#8230;]]]></description>\n"
            f"\t\t<wfw:commentRss>{link}feed/</wfw:commentRss>\n"
            f"\t\t<slash:comments>{len(post.comments)}</slash:comments>\n\t</item>\n")


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


def robots_txt(disallow: tuple[str, ...] = ()) -> bytes:
    """robots.txt as WordPress writes it (its rules, then its sitemaps), with more
    *disallow* rules.

    >>> print(robots_txt(("/2017/03/",)).decode())
    User-agent: *
    Disallow: /wp-admin/
    Allow: /wp-admin/admin-ajax.php
    Disallow: /2017/03/
    <BLANKLINE>
    Sitemap: http://samplesite.invalid/wp-sitemap.xml
    Sitemap: http://samplesite.invalid/news-sitemap.xml
    <BLANKLINE>
    """
    rules = ["User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php"]
    rules += [f"Disallow: {path}" for path in disallow]
    sitemaps = [f"Sitemap: {O}{path}" for path in ROBOTS_SITEMAPS]
    return "\n".join([*rules, "", *sitemaps, ""]).encode("utf-8")


def robots(disallow: tuple[str, ...] = ()) -> Page:
    """robots.txt: WordPress's, naming the site's sitemaps."""
    return Page(200, robots_txt(disallow), "text/plain; charset=utf-8")
