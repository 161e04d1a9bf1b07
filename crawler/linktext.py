"""The visible text of elements and their neighbours, as the link rules read them."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement

from crawler.linklabels import MAX_LABEL, WORD

STRING = etree.XPath("string()")

_BLOCK_LEVEL = frozenset((
    "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
    "figure", "section", "article", "dl", "pre", "form", "header", "footer", "nav", "aside",
))
_INLINE = frozenset(("a", "strong", "b", "span", "em", "i", "u", "font", "small", "mark", "bdi"))
NO_TEXT = frozenset(("script", "style", "noscript", "template", "title", "textarea"))


def _pieces(el: HtmlElement, skip_links: bool = False
            ) -> Iterator[tuple[str | None, HtmlElement]]:
    """Visible text of *el* in document order as (text, element holding it); entering
    a child element is announced as (None, child)."""
    if el.text:
        yield el.text, el
    for child in el:
        if isinstance(child.tag, str) and child.tag not in NO_TEXT:
            yield None, child
            if not (skip_links and child.tag == "a"):
                yield from _pieces(child, skip_links)
        if child.tail:
            yield child.tail, el


def leading_text(el: HtmlElement) -> tuple[str, HtmlElement | None, HtmlElement | None]:
    """Text of *el* before its first link, the element holding its first word, and
    that first link (None when the text grows longer than any label first)."""
    parts: list[str] = []
    size = 0
    holder = None
    for text, node in _pieces(el):
        if text is None:
            if node.tag == "a":
                return "".join(parts), holder, node
            continue
        if holder is None and WORD.search(text):
            holder = node
        parts.append(text)
        size += len(text)
        if size > MAX_LABEL and holder is not None:
            break  # a sentence, not a label
    return "".join(parts), holder, None


def first_piece(el: HtmlElement) -> tuple[str, HtmlElement]:
    """First piece of *el*'s text that has a letter or digit, and its holder."""
    for text, node in _pieces(el):
        if text is not None and WORD.search(text):
            return text, node
    return "", el


def text_outside_links(el: HtmlElement) -> str:
    """Visible text of *el* without the text of its links."""
    return "".join(text for text, _ in _pieces(el, skip_links=True) if text)


def block_of(el: HtmlElement) -> HtmlElement:
    """The paragraph-like element around an inline one: climbs inline elements while
    the parent holds no block-level children (a <strong> heading among paragraphs
    stays itself)."""
    while el.tag in _INLINE:
        parent = el.getparent()
        if parent is None or any(c.tag in _BLOCK_LEVEL for c in parent if isinstance(c.tag, str)):
            break
        el = parent
    return el


def next_element(el: HtmlElement) -> HtmlElement | None:
    """The next sibling element of *el*, skipping <br>, scripts and styles."""
    for sibling in el.itersiblings():
        if isinstance(sibling.tag, str) and sibling.tag not in ("br", "script", "style"):
            return sibling
    return None


def document_order(scope: HtmlElement, elements: list[HtmlElement]) -> list[HtmlElement]:
    """*elements* (all under *scope*) sorted in document order."""
    if len(elements) < 2:
        return elements
    wanted = set(elements)
    ordered = []
    for el in scope.iter():
        if el in wanted:
            ordered.append(el)
            if len(ordered) == len(wanted):
                break
    return ordered
