"""Read-also links written by editors: "إقرأ أيضا: «…»" paragraphs, headed lists
and the JNews inline related block."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree
from lxml.html import HtmlElement

from crawler.linklabels import READ_ALSO_KEYS, READ_ALSO_TERMS, WORD, label_key, label_role
from crawler.linkpage import Page
from crawler.linktext import (
    STRING,
    block_of,
    first_piece,
    leading_text,
    next_element,
    text_outside_links,
)
from crawler.linkzones import class_names

_JNEWS_LINKS = etree.XPath(
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' jeg_post_title ')]//a")
_LINK_PARAGRAPHS = frozenset(("p", "div", "li", "h2", "h3", "h4", "h5", "h6", "blockquote"))

ReadAlso = tuple[str, list[HtmlElement], list[HtmlElement]]


def read_also(page: Page, check_content: bool) -> Iterator[ReadAlso]:
    """(rule, block elements, anchors) of each read-also block of the page."""
    done: set[HtmlElement] = set()

    def fresh(el: HtmlElement) -> bool:
        return (el not in done and not any(a in done for a in el.iterancestors())
                and not page.excluded(el) and (not check_content or page.in_content(el)))

    for block, anchors in _jnews_blocks(page):
        if fresh(block):
            done.add(block)
            yield "read_also:jnews", [block], anchors
    for holder in page.texts(READ_ALSO_TERMS):
        block = block_of(holder)
        found = _read_also_block(page, block) if fresh(block) else None
        if found:
            done.update(found[1])
            yield found


def _jnews_blocks(page: Page) -> Iterator[tuple[HtmlElement, list[HtmlElement]]]:
    # JNews inserts its "inline related posts" inside the content whatever their
    # heading says (other JNews blocks count when headed as read-also: _heading_list).
    for block in page.with_class("jnews_inline_related_post"):
        wrapper = block.getparent()
        if wrapper is not None and "jnews_inline_related_post_wrapper" in class_names(wrapper):
            block = wrapper
        yield block, [a for a in _JNEWS_LINKS(block) if page.url(a)]


def _read_also_block(page: Page, block: HtmlElement) -> ReadAlso | None:
    anchors = page.anchors(block)
    if not anchors:
        return _heading_list(page, block) if label_key(STRING(block)) in READ_ALSO_KEYS else None
    lead, holder, first = leading_text(block)
    if not WORD.search(lead):  # the block starts with its link: "<a>اقرأ أيضا: …</a>"
        if first is not None and label_role(first_piece(first)[0], READ_ALSO_KEYS):
            return "read_also:in_link", [block], anchors
        return None
    key = label_key(lead)
    if key not in READ_ALSO_KEYS:
        return None
    # The label in its own <strong>/<b>/<span>, or as bare text before the link.
    in_label = holder not in (block, None) and label_key(STRING(holder)) == key
    return ("read_also:strong_label" if in_label else "read_also:inline"), [block], anchors


def _heading_list(page: Page, heading: HtmlElement) -> ReadAlso | None:
    """A read-also heading and the list, or the run of link paragraphs, after it."""
    key = label_key(STRING(heading))
    for _ in range(3):  # climb wrappers that hold nothing but the heading text
        parent = heading.getparent()
        if (next_element(heading) is not None or parent is None or parent is page.root
                or label_key(STRING(parent)) != key):
            break
        heading = parent
    if "jeg_block_heading" in class_names(heading) and heading.getparent() is not None:
        block = heading.getparent()  # a JNews post block headed "إقرأ أيضاً"
        anchors = [a for a in _JNEWS_LINKS(block) if page.url(a)]
        return ("read_also:jnews", [block], anchors) if anchors else None
    sibling = next_element(heading)
    if sibling is not None and sibling.tag in ("ul", "ol"):
        elements, anchors = [sibling], page.anchors(sibling)
    else:
        elements, anchors = _link_paragraphs(page, sibling)
    return ("read_also:heading_list", [heading, *elements], anchors) if anchors else None


def _link_paragraphs(page: Page, el: HtmlElement | None
                     ) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """The run of elements from *el* on whose only text is their links."""
    elements: list[HtmlElement] = []
    anchors: list[HtmlElement] = []
    while el is not None and len(elements) < 12:
        links = page.anchors(el) if el.tag in _LINK_PARAGRAPHS else []
        if not links or WORD.search(text_outside_links(el)):
            break
        elements.append(el)
        anchors.extend(links)
        el = next_element(el)
    return elements, anchors
