"""Links of an article page by role: previous, next and read-also.

Rules, in order of trust (a link one rule found is not reported again by a weaker
one): ``rel=prev/next`` anchors; theme classes (WordPress core, block themes,
Jannah, Sahifa/Jarida, tagDiv Newspaper, JNews, Publisher, Twenty Twenty); Arabic
labels such as "المقال السابق" on links or on label elements next to a link
(English labels only inside a post navigation block); then read-also links written
by editors ("إقرأ أيضا: «…»" paragraphs, headed lists) and the JNews inline related
block.

Links in comments, sidebars, widgets, menus, share bars, related-posts widgets and
the site header and footer are never returned, nor ``rel=author/category/tag``
links.  Labels are never read from headlines, so a related article titled
"التالي" is not taken for the next article.  URLs are absolute, not canonicalised.

It runs on every page, so the page is read in a few passes (anchors, class
attributes, text nodes): an XPath contains() is a pass over the whole tree, and it
is only run for the strings that a cheap search of the page's text finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urldefrag

from lxml import etree
from lxml.html import HtmlElement
from w3lib.html import strip_html5_whitespace

from crawler.text import normalize_arabic
from crawler.urls import join_url

PREV, NEXT, READ_ALSO = "prev", "next", "read_also"

PREV_LABELS_AR = (
    "السابق", "المقال السابق", "المقالة السابقة", "الخبر السابق", "الموضوع السابق",
    "المنشور السابق", "التدوينة السابقة",
)
NEXT_LABELS_AR = (
    "التالي", "المقال التالي", "المقالة التالية", "الخبر التالي", "الموضوع التالي",
    "المنشور التالي", "التدوينة التالية", "اللاحق", "المقال اللاحق",
)
# WordPress calls the older neighbour "previous": roles follow the page's words.
PREV_LABELS_EN = ("previous", "prev", "previous post", "prev post", "previous article", "older",
                  "older post", "older posts")
NEXT_LABELS_EN = ("next", "next post", "next article", "newer", "newer post", "newer posts")
# Reading invitations only: "شاهد أيضا" (watch) and "اقرأ المزيد" (a read-more
# button to the same article on listings) are not read-also links.
READ_ALSO_LABELS = (
    "اقرأ أيضا", "اقرأ كذلك", "طالع أيضا", "مقالات ذات صلة", "مواضيع ذات صلة",
    "أخبار ذات صلة", "قد يهمك أيضا", "قد يهمك",
)

# Post navigation marked by classes, most specific first: (class, role, class the
# link itself must have).  The element with the class is the link, or holds it.
# Most of these themes also set rel=prev/next, which wins when present.
THEME_CLASSES = (
    ("nav-previous", PREV, None),  # WordPress core the_post_navigation()
    ("nav-next", NEXT, None),
    ("post-navigation-link-previous", PREV, None),  # block themes (Twenty Twenty-Four)
    ("post-navigation-link-next", NEXT, None),
    ("jeg_prevnext_post", PREV, "prev-post"),  # JNews
    ("jeg_prevnext_post", NEXT, "next-post"),
    ("td-post-prev-post", PREV, None),  # tagDiv Newspaper
    ("td-post-next-post", NEXT, None),
    ("post-previous", PREV, None),  # Sahifa, Jarida
    ("post-next", NEXT, None),
    ("prev-post", PREV, None),  # Jannah, Publisher
    ("next-post", NEXT, None),  # Jannah, Publisher, Twenty Twenty
    ("previous-post", PREV, None),  # Twenty Twenty
)


@dataclass(frozen=True)
class RoleLink:
    """A link of an article page with the role it plays and the rule that found it."""

    url: str  #: absolute URL, not canonicalised
    role: str  #: "prev" | "next" | "read_also"
    rule: str  #: e.g. "rel", "class:nav-previous", "label:ar", "read_also:inline"


def find_links(root: HtmlElement, base_url: str) -> list[RoleLink]:
    """All prev/next/read_also links of an article page, in document order,
    deduplicated on (url, role)."""
    page = _Page(root, base_url)
    found: dict[tuple[str, str], tuple[HtmlElement, str]] = {}
    for anchor, role, rule in _candidates(page):
        url = page.url(anchor)
        if url and (url, role) not in found:
            found[url, role] = (anchor, rule)
    order = {a: i for i, a in enumerate(_ANCHORS(root))}
    ranked = sorted(found.items(), key=lambda item: order.get(item[1][0], -1))
    return [RoleLink(url, role, rule) for (url, role), (_, rule) in ranked]


def read_also_blocks(root: HtmlElement, body: HtmlElement | None = None) -> list[HtmlElement]:
    """The elements that are read-also blocks, in document order: the paragraph
    holding an inline "إقرأ أيضا", a heading and its list, the JNews inline related
    block.  With *body*, only blocks inside it."""
    # Only whether an anchor is followable matters here, not its absolute URL.
    page = _Page(root if body is None else body, "http://page.invalid/")
    blocks = {el for _, els, _ in _read_also(page, check_content=body is None) for el in els}
    blocks.discard(page.root)
    outer = [el for el in blocks if not any(a in blocks for a in el.iterancestors())]
    return _document_order(page.root, outer)


# --- matching keys and compiled queries --------------------------------------------------

_NOISE = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]")  # a letter or digit
_MAX_LABEL = 60


def _key(text: str) -> str:
    """Matching key: normalised Arabic without punctuation, arrows or guillemets."""
    return _NOISE.sub(" ", normalize_arabic(text)).strip()


def _label_key(text: str) -> str:
    """The key of a text short enough to be a label, else "" (matches no label):
    spares normalising whole paragraphs that merely contain "السابق"."""
    return _key(text) if len(text) <= _MAX_LABEL else ""


def _keyed(labels: Iterable[str], role: str) -> dict[str, str]:
    return {_key(label): role for label in labels}


_LABELS_AR = {**_keyed(PREV_LABELS_AR, PREV), **_keyed(NEXT_LABELS_AR, NEXT)}
_LABELS_EN = {**_keyed(PREV_LABELS_EN, PREV), **_keyed(NEXT_LABELS_EN, NEXT)}
_READ_ALSO = _keyed(READ_ALSO_LABELS, READ_ALSO)
# "label: title" or "label «title»" in one piece of text.
_LABEL_SEPARATOR = re.compile(r"\s*[:：«\"“]")
# Raw-text prefilters; the exact match on normalised keys comes after.
_AR_NAV_TERMS = ("سابق", "تالي", "لاحق")
_EN_NAV_TERMS = ("Prev", "prev", "PREV", "Next", "next", "NEXT", "Older", "older", "OLDER",
                 "Newer", "newer", "NEWER")
# "يض", not "يضا": "أيضًا" puts its tanween before the alef.
_READ_ALSO_TERMS = ("يض", "كذلك", "صلة", "صله", "يهمك")

_ANCHORS = etree.XPath(".//a")
_REL_ANCHORS = etree.XPath(".//a[@rel]")
_NAVS = etree.XPath(".//nav")
_CLASS_VALUES = etree.XPath(".//@class", smart_strings=False)
_ITEMPROPS = etree.XPath(".//@itemprop", smart_strings=False)
_ARTICLES = etree.XPath(".//article")
_BASE_HREF = etree.XPath("//base/@href")
_STRING = etree.XPath("string()")
_JNEWS_LINKS = etree.XPath(
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' jeg_post_title ')]//a")

_CONTENT_TOKENS = frozenset((
    "entry-content", "td-post-content", "content-inner", "post-content", "article-content",
    "single-post-content", "post-entry", "entry", "post-body", "article-body", "entry-body",
))
_EXCLUDED_IDS = frozenset((
    "comments", "respond", "sidebar", "secondary", "footer", "colophon", "masthead",
    "site-navigation", "related-posts", "related_posts", "check-also-box", "commentform",
))
_EXCLUDED_TOKENS = frozenset((
    "footer", "site-footer", "jeg_footer", "td-footer-wrapper", "site-header", "jeg_header",
    "td-header-wrap", "sharedaddy", "jeg_share_button", "heateor_sss_sharing_container",
    "related-posts", "jp-relatedposts", "yarpp-related", "crp_related", "post-related",
    "jnews_related_post_container", "td_block_related_posts", "sidebar", "jeg_sidebar",
    "td-main-sidebar", "widget-area", "primary-sidebar", "main-sidebar",
))
# Prefixes and suffixes, not substrings: layout flags such as "has-sidebar",
# "no-share" or "sidebar-right" sit on wrappers around the article itself.
_EXCLUDED_PREFIXES = ("share", "social", "a2a", "addtoany", "menu", "widget", "comment",
                      "breadcrumb", "jeg_share", "td-social")
_EXCLUDED_SUFFIXES = ("-menu", "_menu", "-sharing", "_sharing", "-social", "_social")
# post_class() turns category and tag slugs into classes ("category-social",
# "tag-menu"): they say nothing about the element.
_TAXONOMY_PREFIXES = ("category-", "tag-", "format-", "type-", "status-")
_PAGINATION_TOKENS = frozenset((
    "pagination", "page-links", "pagination-links", "wp-pagenavi", "posts-navigation",
    "comments-pagination", "comment-navigation", "wp-block-query-pagination", "jeg_pagination",
    "page-numbers", "post-page-numbers", "page-nav",
))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_BLOCK_LEVEL = frozenset((
    "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
    "figure", "section", "article", "dl", "pre", "form", "header", "footer", "nav", "aside",
))
_INLINE = frozenset(("a", "strong", "b", "span", "em", "i", "u", "font", "small", "mark", "bdi"))
_LABEL_TAGS = frozenset(("span", "div", "strong", "b", "em", "small", "p"))
_LINK_PARAGRAPHS = frozenset(("p", "div", "li", "h2", "h3", "h4", "h5", "h6", "blockquote"))
_NO_TEXT = frozenset(("script", "style", "noscript", "template", "title", "textarea"))
_BAD_HREF = re.compile(r"(?i)^(#|javascript:|mailto:|tel:|sms:|data:|whatsapp:|viber:)")
_REJECTED_REL = frozenset(("author", "category", "tag"))
_INDEXED = frozenset(c for c, _, _ in THEME_CLASSES) | {
    "jnews_inline_related_post"}


class _Page:
    """One page (or the part of it under *root*) being read: its base URL, the
    followable URL of each anchor, and the elements whose classes the rules use."""

    def __init__(self, root: HtmlElement, page_url: str) -> None:
        self.root = root
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
        return None if _excluded(anchor) else url

    def anchors(self, el: HtmlElement) -> list[HtmlElement]:
        """Followable anchors inside *el* (itself included), in document order."""
        found = [el] if el.tag == "a" else _ANCHORS(el)
        return [a for a in found if self.url(a)]

    def with_class(self, name: str) -> list[HtmlElement]:
        """Elements with the class *name* (one of THEME_CLASSES or a JNews block), in
        document order."""
        if self._classes is None:
            self._classes = {}
            present = sorted(_INDEXED.intersection(self._class_text().split()))
            for value in _containing("@class", len(present))(self.root, *present):
                el, tokens = value.getparent(), _class_tokens(str(value))
                for token in tokens.intersection(present):
                    self._classes.setdefault(token, []).append(el)
        return self._classes.get(name, [])

    def _class_text(self) -> str:
        if self._class_values is None:
            self._class_values = " ".join(_CLASS_VALUES(self.root))
        return self._class_values

    def texts(self, terms: tuple[str, ...], scope: HtmlElement | None = None
              ) -> list[HtmlElement]:
        """Elements holding a text node that contains one of *terms* (under *scope*;
        the whole page is searched once for all terms); nothing from scripts."""
        if scope is None:
            if self._hits is None:
                self._hits = _text_holders(self.root, _AR_NAV_TERMS + _READ_ALSO_TERMS)
            hits = self._hits
        else:
            hits = _text_holders(scope, terms)
        return [holder for text, holder in hits if any(t in text for t in terms)]

    def in_content(self, el: HtmlElement) -> bool:
        """Whether *el* is inside the article's content container; anywhere when the
        page has no container we know."""
        for node in _self_and_ancestors(el):
            if node.get("itemprop") == "articleBody" or node.tag == "article":
                return True
            if not _CONTENT_TOKENS.isdisjoint(_class_tokens(node.get("class") or "")):
                return True
        if self._has_content is None:
            self._has_content = (
                bool(_ARTICLES(self.root))
                or not _CONTENT_TOKENS.isdisjoint(self._class_text().split())
                or any(v == "articleBody" for v in _ITEMPROPS(self.root)))
        return not self._has_content


def _text_holders(scope: HtmlElement, terms: tuple[str, ...]
                  ) -> list[tuple[str, HtmlElement]]:
    """(text, holder) of the text nodes under *scope* that contain one of *terms*."""
    data = etree.tostring(scope, method="text", encoding="utf-8")
    present = [t for t in terms if t.encode() in data]  # bytes search: fast
    found = []
    # Whitespace-only nodes are most of a large page: skip them before contains().
    for text in _containing("text()[normalize-space()]", len(present))(scope, *present):
        holder = _holder(text)
        if holder is not None and holder.tag not in _NO_TEXT:
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


# --- candidates, strongest rule first -------------------------------------------------

Candidate = tuple[HtmlElement, str, str]


def _candidates(page: _Page) -> Iterator[Candidate]:
    yield from _rel_links(page)
    yield from _class_links(page)
    yield from _label_links(page)
    for rule, _, anchors in _read_also(page, check_content=True):
        for anchor in anchors:
            yield anchor, READ_ALSO, rule


def _rel_links(page: _Page) -> Iterator[Candidate]:
    # <link rel=prev/next> in <head> pages through a paged post or an archive: not
    # the neighbour article, hence anchors only.
    for anchor in _REL_ANCHORS(page.root):
        rel = anchor.get("rel", "").lower().split()
        role = PREV if ("prev" in rel or "previous" in rel) else NEXT if "next" in rel else None
        if role and not _in_pagination(anchor):
            yield anchor, role, "rel"


def _class_links(page: _Page) -> Iterator[Candidate]:
    for name, role, link_class in THEME_CLASSES:
        for el in page.with_class(name):
            for anchor in page.anchors(el):
                if (link_class is None or link_class in _tokens(anchor)) and not _in_pagination(
                        anchor):
                    yield anchor, role, f"class:{name}"


def _label_links(page: _Page) -> Iterator[Candidate]:
    """Links labelled in Arabic anywhere, or in English inside navigation blocks."""
    passes = [(page.texts(_AR_NAV_TERMS), _LABELS_AR, "label:ar")]
    passes += [(page.texts(_EN_NAV_TERMS, nav), _LABELS_EN, "label:en")
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
            if found and not _in_pagination(found[0]):
                yield found[0], found[1], rule


def _nav_blocks(page: _Page) -> list[HtmlElement]:
    """Outermost post navigation blocks: <nav> elements and the theme classes'
    elements, unless they are menus, comments or pagination."""
    blocks = [*_NAVS(page.root), *(el for name, _, _ in THEME_CLASSES
                                   for el in page.with_class(name))]
    inner = set(blocks)
    outer = [el for el in blocks if inner.isdisjoint(el.iterancestors())]
    return [el for el in outer if not _excluded(el) and not _in_pagination(el)]


def _label_anchor(page: _Page, anchor: HtmlElement, labels: dict[str, str]
                  ) -> tuple[HtmlElement, str] | None:
    """A link whose own text is, or starts with, a label: "السابق", "المقال السابق<br>
    title", "السابق: title"."""
    if not page.url(anchor) or _in_headline(anchor):
        return None
    text, holder = _first_piece(anchor)
    if _in_headline(holder, stop=anchor):
        return None
    role = _label_role(text, labels) or labels.get(_label_key(_STRING(anchor)))
    return (anchor, role) if role else None


def _label_element(page: _Page, el: HtmlElement, labels: dict[str, str]
                   ) -> tuple[HtmlElement, str] | None:
    """A label element ("<span>التالي</span>") and the link of its navigation block,
    or a label written just before a link in the same element."""
    if el.tag not in _LABEL_TAGS or _in_headline(el) or _excluded(el):
        return None
    role = labels.get(_label_key(_STRING(el)))
    if role:
        anchor = _neighbour_link(page, el)
        return (anchor, role) if anchor is not None else None
    lead, _, first = _lead(el)
    role = labels.get(_label_key(lead))
    return (first, role) if role and first is not None and page.url(first) else None


def _label_role(text: str, labels: dict[str, str]) -> str | None:
    """Role of *text* if it is a label, alone or followed by ":" or a quoted title."""
    role = labels.get(_label_key(text))
    if role is None:
        head = _LABEL_SEPARATOR.split(normalize_arabic(text), 1)
        role = labels.get(_label_key(head[0])) if len(head) == 2 else None
    return role


def _neighbour_link(page: _Page, label: HtmlElement) -> HtmlElement | None:
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


def _first_link_after(page: _Page, container: HtmlElement, el: HtmlElement) -> HtmlElement | None:
    after = False
    for node in container.iter():
        if node is el:
            after = True
        elif after and node.tag == "a" and page.url(node):
            return node
    return None


# --- read-also -------------------------------------------------------------------------

ReadAlso = tuple[str, list[HtmlElement], list[HtmlElement]]


def _read_also(page: _Page, check_content: bool) -> Iterator[ReadAlso]:
    """(rule, block elements, anchors) of each read-also block of the page."""
    done: set[HtmlElement] = set()

    def fresh(el: HtmlElement) -> bool:
        return (el not in done and not any(a in done for a in el.iterancestors())
                and not _excluded(el) and (not check_content or page.in_content(el)))

    for block, anchors in _jnews_blocks(page):
        if fresh(block):
            done.add(block)
            yield "read_also:jnews", [block], anchors
    for holder in page.texts(_READ_ALSO_TERMS):
        block = _block_of(holder)
        found = _read_also_block(page, block) if fresh(block) else None
        if found:
            done.update(found[1])
            yield found


def _jnews_blocks(page: _Page) -> Iterator[tuple[HtmlElement, list[HtmlElement]]]:
    # JNews inserts its "inline related posts" inside the content whatever their
    # heading says (other JNews blocks count when headed as read-also: _heading_list).
    for block in page.with_class("jnews_inline_related_post"):
        wrapper = block.getparent()
        if wrapper is not None and "jnews_inline_related_post_wrapper" in _tokens(wrapper):
            block = wrapper
        yield block, [a for a in _JNEWS_LINKS(block) if page.url(a)]


def _read_also_block(page: _Page, block: HtmlElement) -> ReadAlso | None:
    anchors = page.anchors(block)
    if not anchors:
        return _heading_list(page, block) if _label_key(_STRING(block)) in _READ_ALSO else None
    lead, holder, first = _lead(block)
    if not _WORD.search(lead):  # the block starts with its link: "<a>اقرأ أيضا: …</a>"
        if first is not None and _label_role(_first_piece(first)[0], _READ_ALSO):
            return "read_also:in_link", [block], anchors
        return None
    key = _label_key(lead)
    if key not in _READ_ALSO:
        return None
    # The label in its own <strong>/<b>/<span>, or as bare text before the link.
    in_label = holder not in (block, None) and _label_key(_STRING(holder)) == key
    return ("read_also:strong_label" if in_label else "read_also:inline"), [block], anchors


def _heading_list(page: _Page, heading: HtmlElement) -> ReadAlso | None:
    """A read-also heading and the list, or the run of link paragraphs, after it."""
    key = _label_key(_STRING(heading))
    for _ in range(3):  # climb wrappers that hold nothing but the heading text
        parent = heading.getparent()
        if (_next_element(heading) is not None or parent is None or parent is page.root
                or _label_key(_STRING(parent)) != key):
            break
        heading = parent
    if "jeg_block_heading" in _tokens(heading) and heading.getparent() is not None:
        block = heading.getparent()  # a JNews post block headed "إقرأ أيضاً"
        anchors = [a for a in _JNEWS_LINKS(block) if page.url(a)]
        return ("read_also:jnews", [block], anchors) if anchors else None
    sibling = _next_element(heading)
    if sibling is not None and sibling.tag in ("ul", "ol"):
        elements, anchors = [sibling], page.anchors(sibling)
    else:
        elements, anchors = _link_paragraphs(page, sibling)
    return ("read_also:heading_list", [heading, *elements], anchors) if anchors else None


def _link_paragraphs(page: _Page, el: HtmlElement | None
                     ) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """The run of elements from *el* on whose only text is their links."""
    elements: list[HtmlElement] = []
    anchors: list[HtmlElement] = []
    while el is not None and len(elements) < 12:
        links = page.anchors(el) if el.tag in _LINK_PARAGRAPHS else []
        if not links or _WORD.search(_text_outside_links(el)):
            break
        elements.append(el)
        anchors.extend(links)
        el = _next_element(el)
    return elements, anchors


# --- element helpers ---------------------------------------------------------------------


def _pieces(el: HtmlElement, skip_links: bool = False
            ) -> Iterator[tuple[str | None, HtmlElement]]:
    """Visible text of *el* in document order as (text, element holding it); entering
    a child element is announced as (None, child)."""
    if el.text:
        yield el.text, el
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
            yield None, child
            if not (skip_links and child.tag == "a"):
                yield from _pieces(child, skip_links)
        if child.tail:
            yield child.tail, el


def _lead(el: HtmlElement) -> tuple[str, HtmlElement | None, HtmlElement | None]:
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
        if holder is None and _WORD.search(text):
            holder = node
        parts.append(text)
        size += len(text)
        if size > _MAX_LABEL and holder is not None:
            break  # a sentence, not a label
    return "".join(parts), holder, None


def _first_piece(el: HtmlElement) -> tuple[str, HtmlElement]:
    """First piece of *el*'s text that has a letter or digit, and its holder."""
    for text, node in _pieces(el):
        if text is not None and _WORD.search(text):
            return text, node
    return "", el


def _text_outside_links(el: HtmlElement) -> str:
    return "".join(text for text, _ in _pieces(el, skip_links=True) if text)


def _holder(text: etree._ElementUnicodeResult) -> HtmlElement | None:
    """The element whose content a text node is (a tail belongs to the parent)."""
    parent = text.getparent()
    return parent.getparent() if parent is not None and text.is_tail else parent


def _block_of(el: HtmlElement) -> HtmlElement:
    """The paragraph-like element around an inline one: climbs inline elements while
    the parent holds no block-level children (a <strong> heading among paragraphs
    stays itself)."""
    while el.tag in _INLINE:
        parent = el.getparent()
        if parent is None or any(c.tag in _BLOCK_LEVEL for c in parent if isinstance(c.tag, str)):
            break
        el = parent
    return el


def _next_element(el: HtmlElement) -> HtmlElement | None:
    for sibling in el.itersiblings():
        if isinstance(sibling.tag, str) and sibling.tag not in ("br", "script", "style"):
            return sibling
    return None


def _tokens(el: HtmlElement) -> list[str]:
    return (el.get("class") or "").lower().split()


def _self_and_ancestors(el: HtmlElement) -> Iterator[HtmlElement]:
    """*el* and its ancestors up to, not including, <body>: body classes are
    page-wide flags."""
    node: HtmlElement | None = el
    while node is not None and node.tag not in ("body", "html"):
        yield node
        node = node.getparent()


# The class predicates below are cached: a theme repeats the same class strings on
# every page, and ancestors are walked for every candidate link.


@lru_cache(maxsize=8192)
def _excluded_class(value: str) -> bool:
    for token in value.lower().split():
        if token.startswith(_TAXONOMY_PREFIXES):
            continue
        if (token in _EXCLUDED_TOKENS or token.startswith(_EXCLUDED_PREFIXES)
                or token.endswith(_EXCLUDED_SUFFIXES)):
            return True
    return False


@lru_cache(maxsize=8192)
def _headline_class(value: str) -> bool:
    return any(t == "title" or t.endswith(("-title", "_title")) for t in value.lower().split())


@lru_cache(maxsize=8192)
def _class_tokens(value: str) -> frozenset[str]:
    return frozenset(value.lower().split())


def _excluded(el: HtmlElement) -> bool:
    """Whether *el* sits in comments, a sidebar or widget, a menu, a share bar, a
    related-posts widget or the site header or footer.  (Not any <form>: ASP.NET
    pages wrap the whole page in one.)"""
    chrome = False  # a <header>/<footer> not (yet) known to belong to an article
    for node in _self_and_ancestors(el):
        tag = node.tag
        if tag in ("header", "footer"):
            chrome = True
        elif tag in ("article", "main"):
            chrome = False
        elif tag == "aside":
            return True
        ident, value = node.get("id"), node.get("class")
        if (ident and ident.lower() in _EXCLUDED_IDS) or (value and _excluded_class(value)):
            return True
    return chrome


def _in_pagination(el: HtmlElement) -> bool:
    """Whether *el* pages through a paged post, an archive or the comments."""
    for node in _self_and_ancestors(el):
        tokens = _class_tokens(node.get("class") or "")
        if not _PAGINATION_TOKENS.isdisjoint(tokens):
            return True
        if "nav-links" in tokens and any("page-numbers" in _tokens(d) for d in node.iter()):
            return True
    return False


def _in_headline(el: HtmlElement, stop: HtmlElement | None = None) -> bool:
    """Whether *el* is, or is inside, a heading or a *title element (up to *stop*)."""
    for node in _self_and_ancestors(el):
        if node is stop:
            return False
        value = node.get("class")
        if node.tag in _HEADINGS or (value and _headline_class(value)):
            return True
    return False


def _document_order(scope: HtmlElement, elements: list[HtmlElement]) -> list[HtmlElement]:
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
