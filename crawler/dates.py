"""Publication dates: ISO 8601 values and visible Arabic dates, parsed to aware datetimes.

Our own parser reads month names of every Arab region (Levantine/Syriac, Egyptian,
Maghrebi, Moroccan), English and French names and numeric dates; ``dateparser`` is
only a fallback for strings that hold no date shape we know, because it misses the
Levantine and Maghrebi names and is slow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from crawler.extract import css
from crawler.text import collapse_space, normalize_arabic, to_ascii_digits
from crawler.zones import DEFAULT, UNDATED, PageZones

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("كانون الثاني", "كانون ثاني", "كانون 2", "يناير", "جانفي", "january", "jan", "janvier"),
    2: ("شباط", "فبراير", "فيفري", "february", "feb", "février", "fevrier"),
    3: ("آذار", "مارس", "march", "mar", "mars"),
    4: ("نيسان", "أبريل", "إبريل", "أفريل", "april", "apr", "avril"),
    5: ("أيار", "مايو", "ماي", "may", "mai"),
    6: ("حزيران", "يونيو", "يونيه", "جوان", "june", "jun", "juin"),
    7: ("تموز", "يوليو", "يوليه", "جويلية", "يوليوز", "july", "jul", "juillet"),
    8: ("آب", "أغسطس", "أوت", "غشت", "august", "aug", "août", "aout"),
    9: ("أيلول", "سبتمبر", "شتنبر", "september", "sep", "sept", "septembre"),
    10: ("تشرين الأول", "تشرين أول", "تشرين 1", "أكتوبر", "october", "oct", "octobre"),
    11: ("تشرين الثاني", "تشرين ثاني", "تشرين 2", "نوفمبر", "نونبر", "november", "nov", "novembre"),
    12: ("كانون الأول", "كانون أول", "كانون 1", "ديسمبر", "دجنبر", "december", "dec", "décembre",
         "decembre"),
}
# Keys go through the same normaliser as the text they are matched against (أ->ا, ة->ه ...),
# without spaces so that "كانون 2" and "كانون2" are one key.
_MONTHS = {normalize_arabic(n).replace(" ", ""): m for m, ns in _MONTH_NAMES.items() for n in ns}
_MONTH_RE = "|".join(
    r"\s*".join(re.escape(w) for w in normalize_arabic(n).split())
    for n in sorted({n for ns in _MONTH_NAMES.values() for n in ns}, key=len, reverse=True)
)
_MONTH = rf"(?<!\w)({_MONTH_RE})(?!\w)"
_SEP = r"[\s,،.\-/]*"
# "12 أيلول (سبتمبر) 2017", "28 آب/اغسطس 2013": a second name for the same month.
_ALSO = rf"(?:\s*[/(\-]\s*(?:{_MONTH_RE})\s*\)?)?"
_DAY = r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er)?"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{_DAY}{_SEP}{_MONTH}{_ALSO}{_SEP}(\d{{4}})(?!\d)"), "dmy"),
    (re.compile(rf"{_MONTH}\.?\s*{_DAY}[\s,،]+(\d{{4}})(?!\d)"), "mdy"),
    (re.compile(r"(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)"), "dmy_num"),
    (re.compile(r"(?<![\d:.])(\d{1,2})([-/.])(\d{1,2})\2(\d{2})(?![\d:.])"), "dmy_num"),
)
_TIME = re.compile(
    r"(?<![\d:+])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?!\d)"
    r"(?:\s*(صباحا|مساءا|مساء|ظهرا|عصرا|ص|م|a\.?m\.?|p\.?m\.?)(?!\w))?"
)
_AM = {"ص", "صباحا", "am", "a.m.", "a.m", "am."}
# "10:05+03", "10:05Z", "10:05 +0300"; a spaced sign needs hours and minutes ("10:05 -12 ...").
_ATTACHED_OFFSET = re.compile(
    r"(?:(z)(?!\w)|([+-]\d{2}(?::?\d{2})?)|\s([+-]\d{2}:?\d{2}))(?![\d/.:-])"
)
_NAMED_OFFSET = re.compile(r"(?<!\w)(?:gmt|utc)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?!\d)")
_UTC_WORD = re.compile(r"(?<!\w)(gmt|utc|غرينتش|جرينتش)(?!\w)")
# dateparser is tried on short strings with a year or a timestamp in them only: long text
# is not a date, and dateparser is slow.
_FALLBACK_MAX_CHARS = 80
_FALLBACK_NEEDS = re.compile(r"\d{4}")
_FALLBACK_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    # No relative dates ("منذ 3 ساعات"): they depend on the crawl time, not the page.
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}


def parse_date(raw: str, tz: str = "UTC", *, default_time: str | None = None) -> datetime | None:
    """Parse one date string from a news page into an aware datetime, or None.

    Values without an offset are local times in *tz* (an IANA name); a date without a
    time gets *default_time* ("HH:MM", midnight when None).  Seconds precision.  Never
    raises on *raw*; an unknown *tz* raises ``ZoneInfoNotFoundError``.

    >>> parse_date("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "Africa/Cairo").isoformat()
    '2020-10-07T12:09:00+02:00'
    >>> parse_date("28 آب 2017").isoformat()
    '2017-08-28T00:00:00+00:00'
    >>> parse_date("31 شباط 2017") is None
    True
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = normalize_arabic(raw)
    if not any(c.isdigit() for c in text):
        return None
    found = _find_date(text)
    if found is None:
        # A date shape that is no real date (31 شباط, a hijri year) is not handed to
        # dateparser, which would only guess.
        shaped = any(pattern.search(text) for pattern, _ in _DATE_PATTERNS)
        return None if shaped else _fallback(raw, tz)
    (year, month, day), span = found
    clock, offset = _find_time(text, span)
    if clock is None:
        clock = _clock(default_time) if default_time else (0, 0, 0)
    return datetime(year, month, day, *clock, tzinfo=offset or ZoneInfo(tz))


def to_iso(dt: datetime) -> str:
    """Format an aware datetime as ISO 8601 with its offset, to the second.

    >>> to_iso(datetime(2017, 9, 12, 10, 5, 7, 999, tzinfo=timezone(timedelta(hours=3))))
    '2017-09-12T10:05:07+03:00'
    """
    if dt.utcoffset() is None:
        raise ValueError(f"naive datetime has no offset: {dt!r}")
    return dt.isoformat(timespec="seconds")


def _find_date(text: str) -> tuple[tuple[int, int, int], tuple[int, int]] | None:
    """Earliest valid (year, month, day) in normalised *text*, with its span."""
    best: tuple[tuple[int, int, int], tuple[int, int]] | None = None
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if best is not None and match.start() >= best[1][0]:
                break
            ymd = _ymd(match, order)
            if ymd is not None:
                best = (ymd, match.span())
                break
    return best


def _ymd(match: re.Match[str], order: str) -> tuple[int, int, int] | None:
    """(year, month, day) of one date match, or None when it is no real date."""
    g = match.groups()
    if order == "dmy":
        year, month, day = int(g[2]), _MONTHS[re.sub(r"\s", "", g[1])], int(g[0])
    elif order == "mdy":
        year, month, day = int(g[2]), _MONTHS[re.sub(r"\s", "", g[0])], int(g[1])
    elif order == "ymd":
        year, month, day = int(g[0]), int(g[2]), int(g[3])
    else:
        year, month, day = _full_year(g[3]), int(g[2]), int(g[0])
        if month > 12 >= day:  # a US-style 09/13/2017
            month, day = day, month
    try:
        datetime(year, month, day)
    except ValueError:
        return None
    return (year, month, day) if _year_ok(year) else None


def _full_year(digits: str) -> int:
    """Four-digit year; two-digit years are this century unless that is the future."""
    year = int(digits)
    if len(digits) == 4:
        return year
    return 2000 + year if 2000 + year <= datetime.now(UTC).year + 1 else 1900 + year


def _find_time(
    text: str, span: tuple[int, int]
) -> tuple[tuple[int, int, int] | None, tzinfo | None]:
    """The clock time nearest to the date at *span* (after it wins a tie) and its offset."""
    best: tuple[tuple[int, int], re.Match[str]] | None = None
    for match in _TIME.finditer(text):
        after = match.start() >= span[1]
        if not after and match.end() > span[0]:
            continue  # inside the date itself
        key = (match.start() - span[1], 0) if after else (span[0] - match.end(), 1)
        if _clock_of(match) is not None and (best is None or key < best[0]):
            best = (key, match)
    if best is None:
        return None, _named_offset(text)
    match = best[1]
    return _clock_of(match), _attached_offset(text, match.end()) or _named_offset(text)


def _clock_of(match: re.Match[str]) -> tuple[int, int, int] | None:
    """(hour, minute, second) of a time match, 12-hour marks applied; None if impossible."""
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    mark = match[4]
    if mark and hour <= 12:
        if mark in _AM:
            hour = 0 if hour == 12 else hour
        elif hour < 12:
            hour += 12
    if hour > 23 or minute > 59 or second > 59:
        return None
    return hour, minute, second


def _attached_offset(text: str, pos: int) -> tzinfo | None:
    """An offset written right after the time: "Z", "+03:00", "+0300", "+03"."""
    match = _ATTACHED_OFFSET.match(text, pos)
    if match is None:
        return None
    value = match[1] or match[2] or match[3]
    if value == "z":
        return UTC
    digits = value[1:].replace(":", "")
    return _offset(value[0], int(digits[:2]), int(digits[2:] or 0))


def _named_offset(text: str) -> tzinfo | None:
    """An offset named anywhere in the text: "(GMT+0400)", "UTC+3", "بتوقيت غرينتش"."""
    match = _NAMED_OFFSET.search(text)
    if match is not None:
        return _offset(match[1], int(match[2]), int(match[3] or 0))
    return UTC if _UTC_WORD.search(text) else None


def _offset(sign: str, hours: int, minutes: int) -> tzinfo | None:
    """A fixed offset, or None when it is out of range."""
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


def _clock(value: str) -> tuple[int, int, int]:
    """Parse a "HH:MM" default time."""
    hour, minute = (int(part) for part in value.split(":"))
    return hour, minute, 0


def _year_ok(year: int) -> bool:
    """Years news pages can really carry: none before 1900 nor after next year."""
    return 1900 <= year <= datetime.now(UTC).year + 1


def _fallback(raw: str, tz: str) -> datetime | None:
    """Ask dateparser about a short string our own patterns could not read."""
    text = to_ascii_digits(collapse_space(raw))
    if len(text) > _FALLBACK_MAX_CHARS or not _FALLBACK_NEEDS.search(text):
        return None
    import dateparser  # slow to import and to warm up: only when really needed

    settings = dict(_FALLBACK_SETTINGS, TIMEZONE=tz)
    try:
        value = dateparser.parse(text, languages=["ar", "en", "fr"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if value is None or value.tzinfo is None or not _year_ok(value.year):
        return None
    return value.replace(microsecond=0)


# Where pages keep their dates, most trusted first.
PUBLISHED_META = (
    "article:published_time", "og:published_time", "datePublished", "pubdate", "publish-date",
    "sailthru.date", "parsely-pub-date", "DC.date.issued", "dcterms.issued",
)
MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "last-modified")
PUBLISHED_TIME_CSS = (
    "time.published", "time.entry-date", "time[itemprop=datePublished]",
    ".wp-block-post-date time", ".posted-on time", "article time", "main time[datetime]",
    "time[datetime]",
)
MODIFIED_TIME_CSS = ("time.updated", "time[itemprop=dateModified]")
VISIBLE_DATE_CSS = (
    ".entry-date", ".posted-on", ".post-date", ".jeg_meta_date", ".td-post-date",
    ".post-meta .date", "span.published", ".tie-date", ".date", ".meta-date", ".article-date",
    ".entry-meta", ".post-meta",
)
# Compiled once: a query given as a string is compiled again at every call.
_META = etree.XPath("//meta[@property or @name] | //*[@itemprop]")
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()", smart_strings=False)
_HEADLINES = etree.XPath("//h1")
_TEXTS = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]",
                     smart_strings=False)
_AFTER_HEADLINE = etree.XPath(
    "following::text()[normalize-space()]"
    "[not(ancestor::p or ancestor::script or ancestor::style)][position() <= 15]",
    smart_strings=False)


def published_from_page(
    sel: Selector, tz: str, *, visible_css: Iterable[str] = VISIBLE_DATE_CSS
) -> tuple[str | None, str | None]:
    """Publication time of an article page as (ISO in the zone *tz*, string as found).

    Tries meta tags, JSON-LD ``datePublished``, ``<time datetime>``, then visible date
    text (*visible_css*, then the text right under the headline).  When nothing parses,
    the first structured value is still returned as raw, for later re-parsing.
    """
    iso, raw, _ = dated_page(sel, tz, visible_css=visible_css)
    return iso, raw


def dated_page(
    sel: Selector, tz: str, *, visible_css: Iterable[str] = VISIBLE_DATE_CSS,
    markup: DateMarkup | None = None,
) -> tuple[str | None, str | None, bool]:
    """``published_from_page`` and whether the date came from machine-readable markup
    (a visible date often lacks the time, which the caller may look up elsewhere).
    *markup*: the page's ``DateMarkup``, when the caller reads its other dates too."""
    markup = markup or DateMarkup(sel)
    iso, raw = machine_published(sel, tz, markup)
    if iso is not None:
        return iso, raw, True
    seen_iso, seen = _first_parsed(_visible_values(sel, visible_css, markup.zones), tz)
    return (seen_iso, seen, False) if seen_iso else (None, raw, False)


def machine_published(sel: Selector, tz: str, markup: DateMarkup | None = None
                      ) -> tuple[str | None, str | None]:
    """Publication time from machine-readable markup only (meta, JSON-LD, ``<time>``):
    (ISO in *tz*, string as found), or (None, first value seen)."""
    markup = markup or DateMarkup(sel)
    structured = chain(
        markup.meta(PUBLISHED_META),
        markup.jsonld("datePublished"),
        _time_values(sel, PUBLISHED_TIME_CSS, markup.zones, published=True),
    )
    return _first_parsed(structured, tz)


def modified_from_page(sel: Selector, tz: str, markup: DateMarkup | None = None) -> str | None:
    """Last modification time of an article page, ISO in the zone *tz*, or None."""
    markup = markup or DateMarkup(sel)
    values = chain(
        markup.meta(MODIFIED_META),
        markup.jsonld("dateModified"),
        _time_values(sel, MODIFIED_TIME_CSS, markup.zones),
    )
    return _first_parsed(values, tz)[0]


def _first_parsed(values: Iterable[str], tz: str) -> tuple[str | None, str | None]:
    """(ISO in *tz*, raw) of the first value that parses; else (None, first value).
    A *tz* of ``""`` keeps the offset the value gives (the site's zone is unknown)."""
    first = None
    for raw in values:
        first = first or raw
        value = parse_date(raw, tz or "UTC")
        if value is not None:
            return to_iso(value.astimezone(ZoneInfo(tz)) if tz else value), raw
    return None, first


class DateMarkup:
    """The dates a page's meta elements and JSON-LD give, each read once however many
    dates (published, modified) are asked of them, and only when asked; and the
    page's zones (*zones*, when its other readers share them): a date in boilerplate
    (``crawler.zones.UNDATED``) is another page's."""

    def __init__(self, sel: Selector, zones: PageZones | None = None) -> None:
        self.sel = sel
        self.zones = zones or PageZones(DEFAULT)
        self._meta: dict[str, list[str]] | None = None
        self._nodes: list[dict[str, Any]] | None = None

    def meta(self, names: Iterable[str]) -> Iterator[str]:
        """Values of meta-like elements named by property, name or itemprop, by name
        in the order of *names* (of PUBLISHED_META and MODIFIED_META), then in
        document order."""
        if self._meta is None:
            self._meta = _meta_values(self.sel, PUBLISHED_META + MODIFIED_META)
        for name in names:
            yield from self._meta[name]

    def jsonld(self, key: str) -> Iterator[str]:
        """*key* values of JSON-LD nodes, article types first."""
        if self._nodes is None:
            self._nodes = list(_jsonld_nodes(self.sel))
        found = [(_type_rank(node), value.strip()) for node in self._nodes
                 if isinstance(value := node.get(key), str) and value.strip()]
        for _, value in sorted(found, key=lambda pair: pair[0]):
            yield value


def _meta_values(sel: Selector, names: Iterable[str]) -> dict[str, list[str]]:
    """For each of *names*, the values of meta-like elements it names by property,
    name or itemprop, in document order."""
    wanted = list(names)
    found: dict[str, list[str]] = {name: [] for name in wanted}
    # One pass over the page for all names, not one per name.
    for el in _META(sel.root):
        # el.get, not attrib: a damaged attribute elsewhere on the element would
        # make lxml refuse to list them all.
        named = {el.get(attr) for attr in ("property", "name", "itemprop")}
        hits = [name for name in wanted if name in named]
        if not hits:
            continue
        value = (el.get("content") or el.get("datetime") or _text(el)).strip()
        if value:
            for name in hits:
                found[name].append(value)
    return found


def _jsonld_nodes(sel: Selector) -> Iterator[dict[str, Any]]:
    """Every node of the page's JSON-LD documents that parse."""
    for script in _JSONLD(sel.root):
        try:
            data = json.loads(script, strict=False)
        except ValueError:
            continue
        yield from _walk(data)


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside a JSON-LD document (``@graph``, lists, nested nodes)."""
    if isinstance(data, dict):
        yield data
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)


def _type_rank(node: dict[str, Any]) -> int:
    """0 for articles (NewsArticle, BlogPosting ...), 1 for web pages, 2 for anything else."""
    types = node.get("@type")
    names = [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
    if any(t.endswith("Article") or t == "BlogPosting" for t in names):
        return 0
    return 1 if "WebPage" in names else 2


def _time_values(sel: Selector, queries: Iterable[str], zones: PageZones,
                 published: bool = False) -> Iterator[str]:
    """``datetime`` attributes (or text) of ``<time>`` elements, selector order; for
    the *published* time, none the page marks as its last modification."""
    for query in queries:
        for el in css(sel.root, query):
            value = el.get("datetime") or _text(el)
            if value.strip() and not _elsewhere(el, zones) and not (
                    published and _marked_modified(el)):
                yield value.strip()


def _elsewhere(el: HtmlElement, zones: PageZones) -> bool:
    """Whether *el* sits in a block where a date is another page's (``UNDATED``):
    what is around it only, since a date element's own tag or classes name what it
    is (Shopify themes print ``<aside class="post-meta">``)."""
    parent = el.getparent()
    return parent is not None and zones.inside(parent, UNDATED)


def _marked_modified(el: HtmlElement) -> bool:
    """Whether the classes of *el* or of its parent name a modification time ("Last
    modified" is the only ``<time>`` of MDN's pages), unless *el* says published."""
    own = (el.get("class") or "").lower().split()
    if "published" in own:
        return False
    parent = el.getparent()
    tokens = own + ((parent.get("class") or "").lower().split() if parent is not None else [])
    return any(t == "modified" or t.endswith(("-modified", "_modified")) for t in tokens)


def _visible_values(sel: Selector, queries: Iterable[str], zones: PageZones
                    ) -> Iterator[str]:
    """Visible date text: theme date elements, then the short texts under the headline."""
    root = sel.root
    for query in queries:
        for el in css(root, query):
            if not _elsewhere(el, zones):
                yield _text(el)
    headlines = _HEADLINES(root)
    if headlines:  # the longest h1 is the headline; short ones hold a logo
        headline = max(headlines, key=lambda h: len(_text(h)))
        for text in _AFTER_HEADLINE(headline):
            yield collapse_space(text)


def _text(el: HtmlElement) -> str:
    """The element's text, whitespace collapsed, scripts left out."""
    return collapse_space(" ".join(_TEXTS(el)))
