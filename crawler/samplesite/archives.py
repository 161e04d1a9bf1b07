"""WordPress archives: date archives (``/YYYY/MM/DD/`` a day's posts, ``/YYYY/MM/`` a
month's) and term archives (``/category/<slug>/``, ``/tag/<slug>/``, ``/author/<slug>/``),
newest first, ten a page, with ``.../page/N/`` after the first page and WordPress's
pagination (``.nav-links``, and ``rel=prev/next`` in the head as SEO plugins print).

They list every published article, off the chain too (copies excepted): a crawler
can bridge a break in the prev/next chain through the date archives, and page
through a category to find its articles many at a time.  A page beyond the last is
not found (404), as in WordPress.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape

from crawler.samplesite import layout as L
from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.day import Day
from crawler.samplesite.model import Page, encode_path
from crawler.samplesite.pages import LISTING_SIZE, latest_change, summary

#: A listed group: title, ``body_class`` and posts, newest first.
Group = tuple[str, str, list[Post]]


def date_archives(posts: list[Post], chrome: L.Chrome,
                  day: Day) -> dict[str, Callable[[], Page]]:
    """Day and month archives with their pages, keyed by (ASCII) path."""
    groups: dict[str, Group] = {}
    for post in reversed(posts):
        moment = post.published
        date = f"{moment.day} {W.MONTHS[moment.month - 1]} {moment.year}"
        month = f"{W.MONTHS[moment.month - 1]} {moment.year}"
        groups.setdefault(f"/{moment:%Y/%m/%d}/", (f"الأرشيف اليومي: {date}", "archive date",
                                                   []))[2].append(post)
        groups.setdefault(f"/{moment:%Y/%m}/", (f"الأرشيف الشهري: {month}", "archive date",
                                                []))[2].append(post)
    return paginated(groups, chrome, day)


def term_archives(posts: list[Post], chrome: L.Chrome,
                  day: Day) -> dict[str, Callable[[], Page]]:
    """Category, tag and author archives with their pages (one page, saying so, for a
    term without posts), keyed by encoded path."""
    groups: dict[str, Group] = {}
    for kind, label, names in (("category", "التصنيف", W.CATEGORIES), ("tag", "الوسم", W.TAGS)):
        for name in names:
            groups[L.term_path(kind, name)] = (f"{label}: {name}", f"archive {kind}", [])
    for display, slug in W.AUTHORS:
        groups[f"/author/{slug}/"] = (f"الكاتب: {display}", "archive author", [])
    for post in reversed(posts):
        paths = [L.term_path("category", name) for name in post.categories]
        paths += [L.term_path("tag", name) for name in post.tags]
        for path in [*paths, f"/author/{post.author[1]}/"]:
            groups[path][2].append(post)
    return paginated(groups, chrome, day)


def paginated(groups: dict[str, Group], chrome: L.Chrome,
              day: Day) -> dict[str, Callable[[], Page]]:
    """Every page of every group's archive, keyed by encoded path."""
    makers: dict[str, Callable[[], Page]] = {}
    for base, (title, body_class, listed) in groups.items():
        pages = max(1, -(-len(listed) // LISTING_SIZE))
        for number in range(1, pages + 1):
            makers[encode_path(page_path(base, number))] = partial(
                archive_page, title, body_class, base, listed, number, pages, chrome, day)
    return makers


def page_path(base: str, number: int) -> str:
    """Decoded path of page *number* of the archive at *base*."""
    return base if number == 1 else f"{base}page/{number}/"


def archive_page(title: str, body_class: str, base: str, listed: list[Post], number: int,
                 pages: int, chrome: L.Chrome, day: Day) -> Page:
    """Page *number* of the archive at *base*."""
    shown = listed[(number - 1) * LISTING_SIZE:number * LISTING_SIZE]
    entries = "\n".join(summary(p) for p in shown) or \
        '<p class="no-results">لا توجد مقالات.</p>'
    main = (f'<header class="page-header"><h1 class="page-title">{escape(title)}</h1></header>\n'
            f"{entries}\n{pagination(base, number, pages)}")
    canonical = L.url(page_path(base, number))
    head = f'<link rel="canonical" href="{canonical}">'
    for rel, other in (("prev", number - 1), ("next", number + 1)):
        if 1 <= other <= pages:
            head += f'\n<link rel="{rel}" href="{L.href(page_path(base, other))}">'
    paged = f" paged paged-{number}" if number > 1 else ""
    html = L.page(title=title, body_class=body_class + paged, main=main, chrome=chrome,
                  head=head + day.script(canonical))
    return Page(200, html.encode("utf-8"), last_modified=latest_change(shown))


def pagination(base: str, number: int, pages: int) -> str:
    """WordPress's ``paginate_links`` navigation (nothing when there is one page): the
    first, last and neighbouring page numbers, dots between.

    >>> import re
    >>> re.findall(r">([^<>]+)</(?:a|span)>", pagination("/category/x/", 5, 9))
    ['« السابق', '1', '…', '4', '5', '6', '…', '9', 'التالي »']
    """
    if pages == 1:
        return ""

    def link(n: int) -> str:
        return L.href(page_path(base, n))

    parts = []
    if number > 1:
        parts.append(f'<a class="prev page-numbers" href="{link(number - 1)}">« السابق</a>')
    shown = sorted({1, pages} | {n for n in (number - 1, number, number + 1) if 1 <= n <= pages})
    for before, n in zip([0, *shown], shown, strict=False):
        if n - before > 1 and before:
            parts.append('<span class="page-numbers dots">…</span>')
        parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>'
                     if n == number else f'<a class="page-numbers" href="{link(n)}">{n}</a>')
    if number < pages:
        parts.append(f'<a class="next page-numbers" href="{link(number + 1)}">التالي »</a>')
    return ('<nav class="navigation pagination" aria-label="المقالات">'
            '<h2 class="screen-reader-text">تصفّح المقالات</h2>'
            f'<div class="nav-links">{"".join(parts)}</div></nav>')
