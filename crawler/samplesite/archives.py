"""WordPress date archives: ``/YYYY/MM/DD/`` lists a day's posts and ``/YYYY/MM/`` a
month's, newest first, ten a page, with ``.../page/N/`` after the first page.

They list every published article, off the chain too (copies excepted), so a crawler
can bridge a break in the prev/next chain through them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape

from crawler.samplesite import layout as L
from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.day import Day
from crawler.samplesite.model import Page
from crawler.samplesite.pages import LISTING_SIZE, latest_change, summary


def date_archives(posts: list[Post], chrome: L.Chrome,
                  day: Day) -> dict[str, Callable[[], Page]]:
    """Day and month archives with their pages, keyed by (ASCII) path."""
    groups: dict[str, tuple[str, list[Post]]] = {}
    for post in reversed(posts):
        moment = post.published
        date = f"{moment.day} {W.MONTHS[moment.month - 1]} {moment.year}"
        month = f"{W.MONTHS[moment.month - 1]} {moment.year}"
        groups.setdefault(f"/{moment:%Y/%m/%d}/", (f"الأرشيف اليومي: {date}", []))[1].append(post)
        groups.setdefault(f"/{moment:%Y/%m}/", (f"الأرشيف الشهري: {month}", []))[1].append(post)
    makers: dict[str, Callable[[], Page]] = {}
    for base, (title, listed) in groups.items():
        pages = max(1, -(-len(listed) // LISTING_SIZE))
        for number in range(1, pages + 1):
            path = base if number == 1 else f"{base}page/{number}/"
            makers[path] = partial(archive_page, title, base, listed, number, pages, chrome, day)
    return makers


def archive_page(title: str, base: str, listed: list[Post], number: int, pages: int,
                 chrome: L.Chrome, day: Day) -> Page:
    """Page *number* of the date archive at *base*."""
    shown = listed[(number - 1) * LISTING_SIZE:number * LISTING_SIZE]
    path = base if number == 1 else f"{base}page/{number}/"
    entries = "\n".join(summary(p) for p in shown)
    main = (f'<header class="page-header"><h1 class="page-title">{escape(title)}</h1></header>\n'
            f"{entries}\n{pagination(base, number, pages)}")
    canonical = L.url(path)
    paged = f" paged paged-{number}" if number > 1 else ""
    html = L.page(title=title, body_class=f"archive date{paged}", main=main, chrome=chrome,
                  head=f'<link rel="canonical" href="{canonical}">' + day.script(canonical))
    return Page(200, html.encode("utf-8"), last_modified=latest_change(shown))


def pagination(base: str, number: int, pages: int) -> str:
    """WordPress's ``paginate_links`` navigation (nothing when there is one page)."""
    if pages == 1:
        return ""

    def link(n: int) -> str:
        return L.url(base if n == 1 else f"{base}page/{n}/")

    parts = []
    if number > 1:
        parts.append(f'<a class="prev page-numbers" href="{link(number - 1)}">« السابق</a>')
    for n in range(1, pages + 1):
        parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>'
                     if n == number else f'<a class="page-numbers" href="{link(n)}">{n}</a>')
    if number < pages:
        parts.append(f'<a class="next page-numbers" href="{link(number + 1)}">التالي »</a>')
    return ('<nav class="navigation pagination" aria-label="المقالات">'
            '<h2 class="screen-reader-text">تصفّح المقالات</h2>'
            f'<div class="nav-links">{"".join(parts)}</div></nav>')
