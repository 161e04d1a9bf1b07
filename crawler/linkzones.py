"""Where an element sits on a page: excluded zones (comments, sidebars, menus, share
bars, related-posts widgets, site header and footer), pagination and headlines."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from lxml.html import HtmlElement

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


def class_names(el: HtmlElement) -> list[str]:
    """The classes of *el*, lowercased, in order."""
    return (el.get("class") or "").lower().split()


def self_and_ancestors(el: HtmlElement) -> Iterator[HtmlElement]:
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
def class_tokens(value: str) -> frozenset[str]:
    """The set of classes in a class attribute value, lowercased."""
    return frozenset(value.lower().split())


def excluded(el: HtmlElement) -> bool:
    """Whether *el* sits in comments, a sidebar or widget, a menu, a share bar, a
    related-posts widget or the site header or footer.  (Not any <form>: ASP.NET
    pages wrap the whole page in one.)"""
    chrome = False  # a <header>/<footer> not (yet) known to belong to an article
    for node in self_and_ancestors(el):
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


def in_pagination(el: HtmlElement) -> bool:
    """Whether *el* pages through a paged post, an archive or the comments."""
    for node in self_and_ancestors(el):
        tokens = class_tokens(node.get("class") or "")
        if not _PAGINATION_TOKENS.isdisjoint(tokens):
            return True
        if "nav-links" in tokens and any("page-numbers" in class_names(d) for d in node.iter()):
            return True
    return False


def in_headline(el: HtmlElement, stop: HtmlElement | None = None) -> bool:
    """Whether *el* is, or is inside, a heading or a *title element (up to *stop*)."""
    for node in self_and_ancestors(el):
        if node is stop:
            return False
        value = node.get("class")
        if node.tag in _HEADINGS or (value and _headline_class(value)):
            return True
    return False
