"""Articles a site's RSS and Atom feeds list, and where a page says its feeds are.

WordPress publishes its newest posts at ``/feed/`` (RSS 2.0) and names its feeds in
the head of every page (``<link rel="alternate" type="application/rss+xml">``), the
comment feeds among them; other systems publish Atom or RSS 1.0.  An item gives an
article's URL (FeedBurner's ``origLink`` over its own redirecting link) and a date:
Atom's ``updated`` is the last change, RSS's ``pubDate`` the publication; either
serves as the item's ``lastmod``.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree
from lxml.html import HtmlElement

from crawler.sitemaps import Entry, local_name
from crawler.urls import join_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})
# Comment feeds list comments, not articles: the site's (``/comments/feed/``,
# ``?feed=comments-rss2``), and each post's (its permalink plus ``feed/``), which
# WordPress titles "... Comments Feed" or "... خلاصة التعليقات".
_COMMENTS_URL = re.compile(r"comments|/\d{4}/\d{2}/\d{2}/[^/?#]+/feed/?$", re.IGNORECASE)
_COMMENTS_TITLE = re.compile(r"comments|تعليقات", re.IGNORECASE)
# Item dates, the most telling first: last change, then publication.
_DATE_TAGS = ("updated", "modified", "pubDate", "published", "date", "issued")
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                          remove_comments=True, remove_pis=True, collect_ids=False)


def feed_urls(origin: str) -> list[str]:
    """Where a WordPress site serves its feed of the newest posts.

    >>> feed_urls("https://site.com")
    ['https://site.com/feed/']
    """
    return [f"{origin}/feed/"]


def feed_links(root: HtmlElement, base: str) -> list[str]:
    """The feeds of articles a page names in ``<link rel="alternate">``, absolute, in
    order, each once; comment feeds are left out."""
    found = []
    for link in root.xpath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '),"
                           " ' alternate ')]"):
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if kind not in FEED_TYPES:
            continue
        url = join_url(base, link.get("href") or "")
        if url and not is_comment_feed(url, link.get("title") or ""):
            found.append(url)
    return list(dict.fromkeys(found))


def is_comment_feed(url: str, title: str = "") -> bool:
    """True for a feed of comments: the site's, or one post's (``/YYYY/MM/DD/slug/feed/``).

    >>> [is_comment_feed(u) for u in ("https://a.com/feed/", "https://a.com/comments/feed/",
    ...  "https://a.com/2025/01/14/x/feed/", "https://a.com/category/x/feed/")]
    [False, True, True, False]
    >>> is_comment_feed("https://a.com/?feed=rss2", "موقع « خلاصة التعليقات")
    True
    """
    return bool(_COMMENTS_URL.search(url) or _COMMENTS_TITLE.search(title))


def read_feed(body: bytes) -> list[Entry]:
    """The articles an RSS 2.0, RSS 1.0 or Atom feed lists, with each item's date
    (ISO 8601) as its ``lastmod``; empty when *body* is no feed.

    >>> read_feed(b'<rss version="2.0"><channel><item><link>https://a.com/x/</link>'
    ...           b'<pubDate>Tue, 14 Jan 2025 08:30:00 +0000</pubDate></item></channel></rss>')
    [Entry(loc='https://a.com/x/', lastmod='2025-01-14T08:30:00+00:00')]
    """
    try:
        # A stray blank line before <?xml (a theme's or plugin's) is a common fault.
        root = etree.fromstring(body.lstrip(), parser=_PARSER)
    except etree.Error:
        return []
    if root is None or local_name(root) not in _FEED_ROOTS:
        return []
    entries = []
    for item in root.iter("{*}item", "{*}entry"):
        url = item_link(item)
        if url:
            entries.append(Entry(url, item_date(item)))
    return entries


def item_link(item: etree._Element) -> str | None:
    """The article URL of a feed item or entry."""
    children = {local_name(c): c for c in reversed(list(item))}
    if (orig := children.get("origLink")) is not None and (orig.text or "").strip():
        return (orig.text or "").strip()
    for link in item:
        if local_name(link) != "link":
            continue
        if link.get("href") is not None:  # Atom: the alternate link
            if link.get("rel", "alternate") == "alternate":
                return link.get("href", "").strip() or None
        elif (link.text or "").strip():  # RSS
            return (link.text or "").strip()
    guid = children.get("guid")
    if guid is not None and guid.get("isPermaLink", "true") == "true":
        return (guid.text or "").strip() or None
    return None


def item_date(item: etree._Element) -> str | None:
    """The item's last change or publication, as ISO 8601 (None when it has none)."""
    dates = {local_name(c): (c.text or "").strip() for c in item}
    for tag in _DATE_TAGS:
        if dates.get(tag) and (parsed := parse_feed_date(dates[tag])):
            return parsed
    return None


def parse_feed_date(text: str) -> str | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom, Dublin Core) date as ISO 8601.

    >>> parse_feed_date("Mon, 13 Jan 2025 23:05:09 GMT")
    '2025-01-13T23:05:09+00:00'
    >>> parse_feed_date("2025-01-14T08:30:00Z"), parse_feed_date("yesterday")
    ('2025-01-14T08:30:00+00:00', None)
    """
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None
