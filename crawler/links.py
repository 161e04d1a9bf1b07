"""Links of an article page by role: previous, next and read-also.

Rules, in order of trust (a link one rule found is not reported again by a weaker
one): ``rel=prev/next`` anchors; theme classes (WordPress core, block themes,
Jannah, Sahifa/Jarida, tagDiv Newspaper, JNews, Publisher, Twenty Twenty); Arabic
labels such as "المقال السابق" on links or on label elements next to a link
(English labels only inside a post navigation block); then read-also links written
by editors ("إقرأ أيضا: «…»" paragraphs, headed lists) and the JNews inline related
block.

Links in boilerplate (``crawler.zones.BOILERPLATE``: comments, sidebars, widgets,
menus, share bars, related posts, ads, the site header and footer) are never
returned, nor ``rel=author/category/tag`` links.  Labels are never read from
headlines, so a related article titled "التالي" is not taken for the next article.
URLs are absolute, not canonicalised.

It runs on every page, so the page is read in a few passes (anchors, class
attributes, text nodes): an XPath contains() is a pass over the whole tree, and it
is only run for the strings that a cheap search of the page's text finds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml.html import HtmlElement

from crawler.linklabels import (
    NEXT,
    NEXT_LABELS_AR,
    NEXT_LABELS_EN,
    PREV,
    PREV_LABELS_AR,
    PREV_LABELS_EN,
    READ_ALSO,
    READ_ALSO_LABELS,
    THEME_CLASSES,
)
from crawler.linkpage import ANCHORS, Page
from crawler.linktext import document_order
from crawler.prevnext import Candidate, class_links, label_links, rel_links
from crawler.readalso import read_also
from crawler.zones import PageZones

__all__ = [
    "NEXT", "NEXT_LABELS_AR", "NEXT_LABELS_EN", "PREV", "PREV_LABELS_AR", "PREV_LABELS_EN",
    "READ_ALSO", "READ_ALSO_LABELS", "THEME_CLASSES", "RoleLink", "find_links",
    "read_also_blocks",
]


@dataclass(frozen=True)
class RoleLink:
    """A link of an article page with the role it plays and the rule that found it."""

    url: str  #: absolute URL, not canonicalised
    role: str  #: "prev" | "next" | "read_also"
    rule: str  #: e.g. "rel", "class:nav-previous", "label:ar", "read_also:inline"


def find_links(root: HtmlElement, base_url: str, zones: PageZones | None = None
               ) -> list[RoleLink]:
    """All prev/next/read_also links of an article page, in document order,
    deduplicated on (url, role); *zones*: the page's (``crawler.zones``)."""
    page = Page(root, base_url, zones)
    found: dict[tuple[str, str], tuple[HtmlElement, str]] = {}
    for anchor, role, rule in _candidates(page):
        url = page.url(anchor)
        if url and (url, role) not in found:
            found[url, role] = (anchor, rule)
    order = {a: i for i, a in enumerate(ANCHORS(root))}
    ranked = sorted(found.items(), key=lambda item: order.get(item[1][0], -1))
    return [RoleLink(url, role, rule) for (url, role), (_, rule) in ranked]


def read_also_blocks(root: HtmlElement, body: HtmlElement | None = None,
                     zones: PageZones | None = None) -> list[HtmlElement]:
    """The elements that are read-also blocks, in document order: the paragraph
    holding an inline "إقرأ أيضا", a heading and its list, the JNews inline related
    block.  With *body*, only blocks inside it."""
    # Only whether an anchor is followable matters here, not its absolute URL.
    page = Page(root if body is None else body, "http://page.invalid/", zones)
    blocks = {el for _, els, _ in read_also(page, check_content=body is None) for el in els}
    blocks.discard(page.root)
    outer = [el for el in blocks if not any(a in blocks for a in el.iterancestors())]
    return document_order(page.root, outer)


# Candidates, strongest rule first: find_links keeps the first rule to find a link.


def _candidates(page: Page) -> Iterator[Candidate]:
    yield from rel_links(page)
    yield from class_links(page)
    yield from label_links(page)
    for rule, _, anchors in read_also(page, check_content=True):
        for anchor in anchors:
            yield anchor, READ_ALSO, rule
