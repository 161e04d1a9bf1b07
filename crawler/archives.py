"""Category and date archives: where a news site lists its articles by section and by
day, newest first, ten or so a page, page after page.

A home page links its sections in its menu (WordPress marks category items
``menu-item-object-category``), in the categories widget (``.cat-item``) and the
archives widget (months); WordPress's own paths are ``/category/<slug>/`` and
``/YYYY/``, ``/YYYY/MM/``, ``/YYYY/MM/DD/``.  The next page of an archive is
``.../page/N/`` (or ``?paged=N``), linked from the pagination (``.nav-links``,
``.pagination``, ``rel=next``).  The spider decides how far to page: up to a cap,
and no further once a page lists nothing new.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement

from crawler.bridge import PAGINATION_CSS
from crawler.extract import css
from crawler.urls import canonicalize_url, join_url

# Links to archives whatever their path: category menu items, the categories and
# archives widgets.
ARCHIVE_LINK_CSS = (".menu-item-object-category > a", ".cat-item > a", ".widget_archive a")
# WordPress's own archive paths, pagination left off.
_ARCHIVE_PATH = re.compile(r"^/(category/[^?#]+|\d{4}/(\d{2}/(\d{2}/)?)?)$")
_PAGE_SUFFIX = re.compile(r"/page/(\d+)/?$")
_FEED_SUFFIX = re.compile(r"/feed(/[a-z0-9]+)?/?$")
# Archives opened from one start page at most: a menu has tens, not thousands.
MAX_ARCHIVES = 100


def archive_links(root: HtmlElement, base: str) -> list[str]:
    """The archives a (start) page links, as the URLs of their first pages, in page
    order, each once, at most ``MAX_ARCHIVES``."""
    found = [a.get("href") for query in ARCHIVE_LINK_CSS for a in css(root, query)]
    found += [href for href in root.xpath("//a/@href") if is_archive_path(href, base)]
    urls = []
    for href in found:
        url = join_url(base, href or "") if href else None
        if url and not _FEED_SUFFIX.search(urlsplit(url).path):
            urls.append(first_page(url))
    return list(dict.fromkeys(urls))[:MAX_ARCHIVES]


def is_archive_path(href: str, base: str) -> bool:
    """True when *href* is a WordPress category or date archive (any page of it).

    >>> [is_archive_path(h, "https://a.com/") for h in ("/category/news/",
    ...  "https://a.com/category/news/local/page/3/", "/2024/05/", "/2024/05/01/",
    ...  "/2024/05/01/slug/", "/tag/x/", "/page/2/")]
    [True, True, True, True, False, False, False]
    """
    url = join_url(base, href)
    if url is None:
        return False
    path = _PAGE_SUFFIX.sub("/", urlsplit(url).path)
    return bool(_ARCHIVE_PATH.match(path if path.endswith("/") else path + "/"))


def page_number(url: str) -> int:
    """Which page of its archive *url* is (1 for the first).

    >>> page_number("https://a.com/category/x/page/3/"), page_number("https://a.com/?paged=2")
    (3, 2)
    >>> page_number("https://a.com/category/x/")
    1
    """
    parts = urlsplit(url)
    found = _PAGE_SUFFIX.search(parts.path)
    if found:
        return int(found[1])
    paged = dict(parse_qsl(parts.query)).get("paged", "")
    return int(paged) if paged.isdigit() else 1


def first_page(url: str) -> str:
    """The first page of the archive *url* is a page of.

    >>> first_page("https://a.com/category/x/page/3/?paged=3&lang=ar")
    'https://a.com/category/x/?lang=ar'
    """
    parts = urlsplit(url)
    path = _PAGE_SUFFIX.sub("/", parts.path)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "paged"])
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def next_page(root: HtmlElement, url: str) -> str | None:
    """The next page of the archive page at *url*, as its pagination links it: a later
    page of the same archive, never another archive or an earlier page."""
    base, number = canonicalize_url(first_page(url)), page_number(url)
    for query in PAGINATION_CSS:
        for element in css(root, query):
            href = element.get("href")
            target = join_url(url, href) if href else None
            if (target and page_number(target) > number
                    and canonicalize_url(first_page(target)) == base):
                return target
    return None
