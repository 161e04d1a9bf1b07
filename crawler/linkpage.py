"""A page being read for links: its base URL, the followable URL of each anchor,
and the compiled queries that find classes and text on it in a few passes."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urldefrag

from lxml import etree
from lxml.html import HtmlElement
from w3lib.html import strip_html5_whitespace

from crawler.linklabels import AR_NAV_TERMS, READ_ALSO_TERMS, THEME_CLASSES
from crawler.linktext import NO_TEXT
from crawler.linkzones import class_tokens
from crawler.urls import join_url
from crawler.zones import BOILERPLATE, CONTENT, DEFAULT, PageZones

ANCHORS = etree.XPath(".//a")
_CLASS_VALUES = etree.XPath(".//@class", smart_strings=False)
_OWN_CLASS_VALUES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
_ITEMPROPS = etree.XPath(".//@itemprop", smart_strings=False)
_ARTICLES = etree.XPath(".//article")
_BASE_HREF = etree.XPath("//base/@href")

_BAD_HREF = re.compile(r"(?i)^(#|javascript:|mailto:|tel:|sms:|data:|whatsapp:|viber:)")
_REJECTED_REL = frozenset(("author", "category", "tag"))
_INDEXED = frozenset(c for c, _, _ in THEME_CLASSES) | {
    "jnews_inline_related_post"}


class Page:
    """One page (or the part of it under *root*) being read: its base URL, the
    followable URL of each anchor, the elements whose classes the rules use, and its
    zones (*zones*: the page's, when its other readers share them)."""

    def __init__(self, root: HtmlElement, page_url: str, zones: PageZones | None = None
                 ) -> None:
        self.root = root
        self.zones = zones or PageZones(DEFAULT)
        self.page_url = urldefrag(page_url)[0]
        base = _BASE_HREF(root)
        joined = join_url(page_url, strip_html5_whitespace(base[0])) if base else None
        self.base = joined or page_url
        self._urls: dict[HtmlElement, str | None] = {}
        self._classes: dict[str, list[HtmlElement]] | None = None
        self._class_values: str | None = None
        self._hits: list[tuple[str, HtmlElement]] | None = None
        self._has_content: bool | None = None

    def url(self, anchor: HtmlElement) -> str | None:
        """Absolute URL of a followable anchor; None for fragments, scripts, mail,
        self links, rel=author/category/tag and anchors in excluded zones."""
        if anchor not in self._urls:
            self._urls[anchor] = self._resolve(anchor)
        return self._urls[anchor]

    def _resolve(self, anchor: HtmlElement) -> str | None:
        href = strip_html5_whitespace(anchor.get("href") or "")
        if not href or _BAD_HREF.match(href):
            return None
        if not _REJECTED_REL.isdisjoint((anchor.get("rel") or "").lower().split()):
            return None
        url = join_url(self.base, href)
        if url is None or not url.startswith(("http://", "https://")):
            return None
        if urldefrag(url)[0] == self.page_url:
            return None
        return None if self.excluded(anchor) else url

    def excluded(self, el: HtmlElement) -> bool:
        """Whether *el* sits in boilerplate (``crawler.zones.BOILERPLATE``)."""
        return self.zones.inside(el, BOILERPLATE)

    def anchors(self, el: HtmlElement) -> list[HtmlElement]:
        """Followable anchors inside *el* (itself included), in document order."""
        found = [el] if el.tag == "a" else ANCHORS(el)
        return [a for a in found if self.url(a)]

    def with_class(self, name: str) -> list[HtmlElement]:
        """Elements with the class *name* (one of THEME_CLASSES or a JNews block), in
        document order."""
        if self._classes is None:
            self._classes = {}
            present = sorted(_INDEXED.intersection(self._class_text().split()))
            for value in _containing("@class", len(present))(self.root, *present):
                el, tokens = value.getparent(), class_tokens(str(value))
                for token in tokens.intersection(present):
                    self._classes.setdefault(token, []).append(el)
        return self._classes.get(name, [])

    def _class_text(self) -> str:
        if self._class_values is None:
            values = (page_class_values(self.root) if self.root.getparent() is None
                      else _CLASS_VALUES(self.root))
            self._class_values = " ".join(values)
        return self._class_values

    def texts(self, terms: tuple[str, ...], scope: HtmlElement | None = None
              ) -> list[HtmlElement]:
        """Elements holding a text node that contains one of *terms* (under *scope*;
        the whole page is searched once for all terms); nothing from scripts."""
        if scope is None:
            if self._hits is None:
                self._hits = _page_text_holders(self.root)
            hits = self._hits
        else:
            hits = _text_holders(scope, terms)
        return [holder for text, holder in hits if any(t in text for t in terms)]

    def in_content(self, el: HtmlElement) -> bool:
        """Whether *el* is inside the article's content container; anywhere when the
        page has no container we know."""
        if self.zones.inside(el, CONTENT):
            return True
        if self._has_content is None:
            self._has_content = (
                bool(_ARTICLES(self.root))
                or not self.zones.vocabulary.names(CONTENT).isdisjoint(
                    self._class_text().split())
                or any(v == "articleBody" for v in _ITEMPROPS(self.root)))
        return not self._has_content


# The class values of the last page asked about, held with its root element.
_last_classes: list[tuple[HtmlElement, list[str]]] = []


def class_values(el: HtmlElement) -> list[str]:
    """The class attribute values of *el* and the elements under it, in document order."""
    return _OWN_CLASS_VALUES(el)


def page_class_values(el: HtmlElement) -> list[str]:
    """``class_values`` of *el*'s page: computed once per page, which link finding and
    field extraction both ask for."""
    document = el.getroottree().getroot()
    if _last_classes and _last_classes[0][0] is document:
        return _last_classes[0][1]
    values = class_values(document)
    _last_classes[:] = [(document, values)]
    return values


# The text holders of the last whole page searched, held with its root: its body is
# searched again for read-also blocks when it is cleaned, and a search for text is a
# costly pass (a contains() per text node per term).
_last_page: list[tuple[HtmlElement, list[tuple[str, HtmlElement]]]] = []


def _page_text_holders(root: HtmlElement) -> list[tuple[str, HtmlElement]]:
    """``_text_holders`` of *root* for every link term; a part of the page last searched
    whole gets that search's holders inside it (those still on the page: elements
    removed since have left it; text moved by a removal stays with its holder)."""
    document = root.getroottree().getroot()
    if _last_page and _last_page[0][0] is document:
        return [(text, holder) for text, holder in _last_page[0][1]
                if (holder is root or root in holder.iterancestors())
                and holder.getroottree().getroot() is document]
    hits = _text_holders(root, AR_NAV_TERMS + READ_ALSO_TERMS)
    if root is document:
        _last_page[:] = [(document, hits)]
    return hits


def _text_holders(scope: HtmlElement, terms: tuple[str, ...]
                  ) -> list[tuple[str, HtmlElement]]:
    """(text, holder) of the text nodes under *scope* that contain one of *terms*."""
    data = etree.tostring(scope, method="text", encoding="utf-8")
    present = [t for t in terms if t.encode() in data]  # bytes search: fast
    found = []
    # Whitespace-only nodes are most of a large page: skip them before contains().
    for text in _containing("text()[normalize-space()]", len(present))(scope, *present):
        holder = _holder(text)
        if holder is not None and holder.tag not in NO_TEXT:
            found.append((str(text), holder))
    return found


@lru_cache(maxsize=64)
def _containing(nodes: str, count: int) -> Callable[..., list[Any]]:
    """A compiled query for the *nodes* (text nodes or class attributes) that
    contain one of *count* strings, given as positional arguments.

    The per-node cost dominates on large pages: one query for all the strings
    present beats one query per string."""
    if not count:
        return lambda scope, *needles: []
    test = " or ".join(f"contains(., $s{i})" for i in range(count))
    query = etree.XPath(f".//{nodes}[{test}]")
    return lambda scope, *needles: query(scope, **{f"s{i}": n for i, n in enumerate(needles)})


def _holder(text: etree._ElementUnicodeResult) -> HtmlElement | None:
    """The element whose content a text node is (a tail belongs to the parent)."""
    parent = text.getparent()
    return parent.getparent() if parent is not None and text.is_tail else parent
