"""Pages that lead a crawler nowhere: an endless calendar, an endless pagination (of
the home page, and of each category past its last page), a redirect loop and a
redirect to another host.  Each is small and cheap to serve."""

from __future__ import annotations

import re
from html import escape

from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.model import PLACEHOLDER as O
from crawler.samplesite.model import Page, wp_path
from crawler.samplesite.pages import LISTING_SIZE, summary

LOOP = ("/loop/a/", "/loop/b/")
OFFSITE_PATH = "/go/partner-report/"
OFFSITE_TARGET = "http://other.invalid/news/partner-report/"
LOOP_TITLE = "مختارات من الأرشيف"
OFFSITE_TITLE = "تقرير خاص من موقع شريك"
_MONTH = re.compile(r"(\d{4})-(\d\d)")
_PAGE = re.compile(r"/page/(\d{1,9})/")
_CATEGORY_PAGE = re.compile(r"(/category/[^/]+/)page/(\d{1,9})/")
_CATEGORY_BASE = re.compile(r"/category/[^/]+/")


def redirects() -> dict[str, Page]:
    """The loop (each end redirects to the other) and the offsite redirect, by path."""
    return {LOOP[0]: Page(301, location=O + LOOP[1]), LOOP[1]: Page(301, location=O + LOOP[0]),
            OFFSITE_PATH: Page(301, location=OFFSITE_TARGET)}


def widget(month: str) -> str:
    """The sidebar widget that opens both traps from *month* (``YYYY-MM``)."""
    return (f'<section class="widget widget_calendar"><h2 class="widget-title">التقويم</h2>'
            f'<a href="{O}/calendar/?month={month}">{month}</a> '
            f'<a href="{O}/page/2/">مقالات أقدم</a></section>\n')


def trap_page(path: str, query: str, chain: list[Post]) -> Page | None:
    """The calendar or pagination page at decoded *path* and *query*, if it is one."""
    if path == "/calendar/":
        found = _MONTH.fullmatch(query.removeprefix("month="))
        if found and 1 <= int(found[1]) <= 9999 and 1 <= int(found[2]) <= 12:
            return calendar(int(found[1]), int(found[2]))
    elif (found := _PAGE.fullmatch(path)) and int(found[1]) >= 2:
        return endless_page(int(found[1]), chain)
    return None


def category_page(path: str) -> tuple[str, int] | None:
    """The category base and page number of a category pagination *path*.

    >>> category_page("/category/سياسة/page/7/")
    ('/category/سياسة/', 7)
    """
    found = _CATEGORY_PAGE.fullmatch(path)
    return (found[1], int(found[2])) if found else None


def never_ending(path: str, html: bytes) -> bytes:
    """A category page's *html* with a link to the next page even on the last page, as
    themes whose pagination never runs out print it."""
    found = category_page(path) or (
        (path, 1) if _CATEGORY_BASE.fullmatch(path) else None)
    if found is None or b'class="next page-numbers"' in html:
        return html
    base, number = found
    link = (f'<div class="nav-links"><a class="next page-numbers" '
            f'href="{O}{wp_path(base)}page/{number + 1}/">التالي »</a></div>')
    return html.replace(b"</main>", link.encode("utf-8") + b"</main>", 1)


def endless_archive(base: str, number: int, last: list[Post]) -> Page:
    """Page *number* of the category at *base*, past its last page, as themes that
    never run out answer it: the *last* page's entries again, and a link to the next."""
    entries = "\n".join(summary(p) for p in last)
    nav = (f'<nav class="navigation pagination"><div class="nav-links">'
           f'<a class="next page-numbers" href="{O}{wp_path(base)}page/{number + 1}/">'
           f"التالي »</a></div></nav>")
    return small_page(f"الصفحة {number}", f"archive category paged paged-{number}",
                      entries + nav)


def calendar(year: int, month: int) -> Page:
    """A month of the calendar, linking the month before and after, for ever."""
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    after = (year, month + 1) if month < 12 else (year + 1, 1)
    nav = []
    for css, (y, m), arrow in (("prev", before, "«"), ("next", after, "»")):
        if 1 <= y <= 9999:
            nav.append(f'<span class="wp-calendar-nav-{css}"><a href="{O}/calendar/?month='
                       f'{y:04d}-{m:02d}">{arrow} {W.MONTHS[m - 1]} {y}</a></span>')
    title = f"{W.MONTHS[month - 1]} {year}"
    return small_page(title, "calendar", f'<table id="wp-calendar"><caption>{title}</caption>'
                      f'</table><nav class="wp-calendar-nav">{"".join(nav)}</nav>')


def endless_page(number: int, chain: list[Post]) -> Page:
    """Page *number* of the home listing: the real pages list chain articles, those
    beyond them nothing, and every one links the next."""
    newest = chain[::-1][(number - 1) * LISTING_SIZE:number * LISTING_SIZE]
    entries = "\n".join(summary(p) for p in newest) or '<p class="no-results">لا توجد مقالات.</p>'
    nav = (f'<nav class="navigation pagination"><div class="nav-links">'
           f'<a class="next page-numbers" href="{O}/page/{number + 1}/">التالي »</a>'
           f"</div></nav>")
    return small_page(f"آخر الأخبار - الصفحة {number}", f"home blog paged paged-{number}",
                      entries + nav)


def small_page(title: str, body_class: str, main: str) -> Page:
    """A bare HTML page (no header, sidebar or widgets)."""
    html = (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="UTF-8">'
            f"<title>{escape(title)} &#8211; {W.SITE_NAME}</title></head>\n"
            f'<body class="rtl {body_class}"><main id="main">{main}</main></body></html>\n')
    return Page(200, html.encode("utf-8"))
