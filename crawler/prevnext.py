"""Previous/next article links: rel attributes, theme classes and labels."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement

from crawler.linklabels import (
    AR_NAV_TERMS,
    EN_NAV_TERMS,
    LABELS_AR,
    LABELS_EN,
    NEXT,
    PREV,
    THEME_CLASSES,
    label_key,
    label_role,
)
from crawler.linkpage import Page
from crawler.linktext import STRING, first_piece, leading_text
from crawler.linkzones import class_names, excluded, in_headline, in_pagination

_REL_ANCHORS = etree.XPath(".//a[@rel]")
_NAVS = etree.XPath(".//nav")
_LABEL_TAGS = frozenset(("span", "div", "strong", "b", "em", "small", "p"))

Candidate = tuple[HtmlElement, str, str]  # (anchor, role, rule)


def rel_links(page: Page) -> Iterator[Candidate]:
    """Anchors with rel=prev/previous/next."""
    # <link rel=prev/next> in <head> pages through a paged post or an archive: not
    # the neighbour article, hence anchors only.
    for anchor in _REL_ANCHORS(page.root):
        rel = anchor.get("rel", "").lower().split()
        role = PREV if ("prev" in rel or "previous" in rel) else NEXT if "next" in rel else None
        if role and not in_pagination(anchor):
            yield anchor, role, "rel"


def class_links(page: Page) -> Iterator[Candidate]:
    """Links in, or marked with, the post navigation classes of THEME_CLASSES."""
    for name, role, link_class in THEME_CLASSES:
        for el in page.with_class(name):
            for anchor in page.anchors(el):
                if (link_class is None or link_class in class_names(anchor)) and not in_pagination(
                        anchor):
                    yield anchor, role, f"class:{name}"


def label_links(page: Page) -> Iterator[Candidate]:
    """Links labelled in Arabic anywhere, or in English inside navigation blocks."""
    passes = [(page.texts(AR_NAV_TERMS), LABELS_AR, "label:ar")]
    passes += [(page.texts(EN_NAV_TERMS, nav), LABELS_EN, "label:en")
               for nav in _nav_blocks(page)]
    seen: set[HtmlElement] = set()
    for holders, labels, rule in passes:
        for holder in holders:
            anchor = holder if holder.tag == "a" else next(holder.iterancestors("a"), None)
            target = holder if anchor is None else anchor
            if target in seen:
                continue
            seen.add(target)
            found = (_label_anchor(page, anchor, labels) if anchor is not None
                     else _label_element(page, holder, labels))
            if found and not in_pagination(found[0]):
                yield found[0], found[1], rule


def _nav_blocks(page: Page) -> list[HtmlElement]:
    """Outermost post navigation blocks: <nav> elements and the theme classes'
    elements, unless they are menus, comments or pagination."""
    blocks = [*_NAVS(page.root), *(el for name, _, _ in THEME_CLASSES
                                   for el in page.with_class(name))]
    inner = set(blocks)
    outer = [el for el in blocks if inner.isdisjoint(el.iterancestors())]
    return [el for el in outer if not excluded(el) and not in_pagination(el)]


def _label_anchor(page: Page, anchor: HtmlElement, labels: dict[str, str]
                  ) -> tuple[HtmlElement, str] | None:
    """A link whose own text is, or starts with, a label: "السابق", "المقال السابق<br>
    title", "السابق: title"."""
    if not page.url(anchor) or in_headline(anchor):
        return None
    text, holder = first_piece(anchor)
    if in_headline(holder, stop=anchor):
        return None
    role = label_role(text, labels) or labels.get(label_key(STRING(anchor)))
    return (anchor, role) if role else None


def _label_element(page: Page, el: HtmlElement, labels: dict[str, str]
                   ) -> tuple[HtmlElement, str] | None:
    """A label element ("<span>التالي</span>") and the link of its navigation block,
    or a label written just before a link in the same element."""
    if el.tag not in _LABEL_TAGS or in_headline(el) or excluded(el):
        return None
    role = labels.get(label_key(STRING(el)))
    if role:
        anchor = _neighbour_link(page, el)
        return (anchor, role) if anchor is not None else None
    lead, _, first = leading_text(el)
    role = labels.get(label_key(lead))
    return (first, role) if role and first is not None and page.url(first) else None


def _neighbour_link(page: Page, label: HtmlElement) -> HtmlElement | None:
    """The link a label element names: the only link of its nearest enclosing block
    (three levels up at most), else the first link after the label in that block."""
    node = label
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return None
        anchors = page.anchors(node)
        if anchors:
            if len({page.url(a) for a in anchors}) == 1:
                return anchors[0]
            return _first_link_after(page, node, label)
    return None


def _first_link_after(page: Page, container: HtmlElement, el: HtmlElement) -> HtmlElement | None:
    after = False
    for node in container.iter():
        if node is el:
            after = True
        elif after and node.tag == "a" and page.url(node):
            return node
    return None
