"""What each part of a page is, for every reader (body, dates, links): the post's
content, or comments, a sidebar or widget, a menu, navigation, pagination, share
buttons, related posts, the site's header and footer, ads, post meta, captions,
hidden or non-text elements.

Decided by whole class and id tokens (exact names, or token prefixes and suffixes
such as ``related-*``) and by element roles (``<aside>``, ``<nav>``, a ``<footer>``
outside the post, ``role="complementary"``), never by substrings of the class
attribute: ``has-sidebar``, ``content-area`` or ``elementor-widget-container`` wrap
the post itself.  Tokens WordPress makes from slugs (``tag-related-news``,
``category-social``) and state flags (``has-*``, ``no-*``) never mark a zone, nor does
any token of a post's own ``post_class()`` element.  Profiles add tokens as data.

Each reader asks about the kinds that matter to it: links skip ``BOILERPLATE``, dates
``UNDATED``, bylines and terms ``OTHERS``, the body leaves out ``NOT_BODY``.  A page's
``PageZones`` works each element out once for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from lxml.html import HtmlElement

# Kinds of zone, as bits: an element and what is around it may be several at once.
CONTENT = 1 << 0  #: the post's text container (and ``<article>``)
COMMENTS = 1 << 1
SIDEBAR = 1 << 2  #: sidebars and widgets
#: ``<aside>`` and ``role="complementary"``: beside the post, or a box in it; a byline
#: there is still the post's (The Guardian prints its byline in an ``<aside>``).
ASIDE = 1 << 3
MENU = 1 << 4  #: site menus and breadcrumbs
NAV = 1 << 5  #: navigation blocks, where post navigation's previous/next links are
PAGINATION = 1 << 6
SHARE = 1 << 7  #: share buttons and social links
RELATED = 1 << 8  #: related-posts widgets and other lists of posts
#: A block named plainly ``related``: a list of other posts, left out of the body and
#: never dated, whose links may still be the editors' read-also (a CMS's "اقرأ أيضا").
MORE_POSTS = 1 << 9
CHROME = 1 << 10  #: the site's header and footer
PROMO = 1 << 11  #: ads, newsletter and subscription boxes
META = 1 << 12  #: byline, post meta, tags, author box, counters, the post's footer
CAPTION = 1 << 13
HIDDEN = 1 << 14
NON_TEXT = 1 << 15  #: scripts, styles, embeds
FORM = 1 << 16  #: forms and their controls
EXTRA = 1 << 17  #: a profile's own boilerplate tokens
ALL = (1 << 18) - 1

#: Blocks that are not the post: their links and dates are other pages'.
BOILERPLATE = COMMENTS | SIDEBAR | ASIDE | MENU | SHARE | RELATED | CHROME | PROMO | EXTRA
#: Blocks about other posts and people: a byline or a category there is not the post's.
OTHERS = COMMENTS | SIDEBAR | RELATED | MORE_POSTS
#: Where a date is never the post's: blocks of other pages, and navigation (a share
#: bar or an ad holds none, and a wrapper such as "meta-share-group" holds the post's).
UNDATED = OTHERS | ASIDE | MENU | CHROME | NAV | PAGINATION | EXTRA
#: What the body's text leaves out.
NOT_BODY = ALL & ~CONTENT

# Frames: the outermost <header>/<footer> or post element around an element says
# whether a <header>/<footer> is the site's (CHROME) or the post's own.
_SITE_FRAME = 1 << 18
_POST_FRAME = 1 << 19
_FRAMES = _SITE_FRAME | _POST_FRAME

# The vocabulary: "name" is a class or id token; "name*", "*name" and "*name*" match a
# class token's start, end or inside (with its "-" or "_": a word of the token);
# "#name" is an id only (as a class it names a style).  A heading's id is made from
# its text ("20-we-are-social"): it matches exact names only.
VOCABULARY: dict[int, tuple[str, ...]] = {
    CONTENT: (
        "entry-content", "td-post-content", "content-inner", "post-content",
        "article-content", "single-post-content", "post-entry", "entry", "post-body",
        "article-body", "entry-body",
    ),
    COMMENTS: (
        "comment", "comments", "commentlist", "commentform", "comment-*", "comments-*",
        "comment_*", "comments_*", "*-comments", "*_comments", "#respond",
        "jnews_comment_container", "wp-block-post-comments-form", "disqus_thread",
    ),
    SIDEBAR: (
        "sidebar", "widget", "widgets", "widget-*", "widget_*", "widgettitle",
        "*-widget-area", "*_widget_area", "primary-sidebar", "main-sidebar",
        "jeg_sidebar", "td-main-sidebar", "td-ss-main-sidebar", "#secondary",
    ),
    MENU: (
        "menu", "menu-*", "menu_*", "*-menu", "*_menu", "breadcrumb*", "*-breadcrumb",
        "*-breadcrumbs", "*_breadcrumbs", "#breadcrumb", "#breadcrumbs", "#crumbs",
        "#site-navigation",
    ),
    NAV: (
        "navigation", "post-navigation", "nav-links", "post-nav*", "*prev_next*",
        "*next_prev*", "*prevnext*",
    ),
    PAGINATION: (
        "pagination", "page-links", "pagination-links", "wp-pagenavi", "posts-navigation",
        "comments-pagination", "comment-navigation", "wp-block-query-pagination",
        "jeg_pagination", "page-numbers", "post-page-numbers", "page-nav",
    ),
    SHARE: (
        "share*", "social*", "*-share", "*_share", "*-sharing", "*_sharing", "*-social",
        "*_social", "*-share-buttons", "*-share-section", "*-share-wrap", "*-share-modal",
        "*-share-container", "*_share_container", "*-social-icons", "*-social-links", "a2a*",
        "addtoany*", "jeg_share*", "td-social*", "sd-sharing-enabled",
        "heateor_sss_sharing_container", "dpsp-*", "ssba-*", "swp_social_panel",
        "scriptlesssocialsharing*", "pk-share-buttons*", "kt_share_*",
        "elementor-share-buttons*",
    ),
    RELATED: (
        "related-*", "related_*", "relatedposts*", "*-related", "*_related",
        "*-related-posts", "*_related_posts", "jp-relatedposts*", "crp_related*",
        "jnews_related_post_container", "check-also-box", "#related-posts", "#related_posts",
        "#jp-relatedposts", "wp-block-query", "wp-block-latest-posts",
    ),
    MORE_POSTS: ("related",),
    CHROME: (
        "footer", "site-footer", "jeg_footer", "td-footer-wrapper", "site-header",
        "jeg_header", "td-header-wrap", "#masthead", "#colophon",
    ),
    PROMO: (
        "adsbygoogle", "ads", "ad", "advertisement", "google-auto-placed", "code-block",
        "newsletter", "newsletter-*", "newsletter_*", "*-newsletter", "subscribe",
        "subscribe-*", "*-subscribe", "*_subscribe_*",
    ),
    META: (
        "post-tags", "tags-links", "cat-links", "entry-meta", "post-meta", "tags", "*-tags",
        "*_tags", "*-tags-*", "jeg_post_tags", "td-post-source-tags", "author-box",
        "about-author", "rt-reading-time", "reading-time", "*time_to_read*", "post-views", "views",
        "wp-block-buttons",
    ),
    CAPTION: ("wp-caption-text",),
    HIDDEN: ("screen-reader-text", "sr-only", "d-none", "hidden"),
}
# Tokens made from slugs by post_class() and body_class() (category-SLUG, tag-SLUG,
# format-*, type-*, status-*), and state flags on wrappers (has-sidebar, no-share).
IGNORED_PREFIXES = (
    "category-", "tag-", "format-", "type-", "status-", "postid-", "post-format-",
    "taxonomy-", "has-", "no-", "with-", "without-", "hide-", "show-", "showing-", "not-",
    "is-", "enable-", "disable-",
)
# post_class() marks every post it prints with these: then its other tokens are
# slugs of custom taxonomies ("series-related"), never zones.
_POST_CLASS_MARKS = frozenset(("hentry",))
_POST_CLASS_PREFIXES = ("type-", "status-")
_POST_TOKENS = frozenset(("post", "hentry"))

TAG_KINDS: dict[str, int] = {
    "article": CONTENT, "aside": ASIDE, "nav": NAV, "footer": META, "figcaption": CAPTION,
    "script": NON_TEXT, "style": NON_TEXT, "noscript": NON_TEXT, "iframe": NON_TEXT,
    "svg": NON_TEXT, "template": NON_TEXT, "form": FORM, "button": FORM, "input": FORM,
    "select": FORM, "textarea": FORM,
}
ROLE_KINDS: dict[str, int] = {"complementary": ASIDE, "navigation": NAV}
_TAG_FRAMES = {"header": _SITE_FRAME, "footer": _SITE_FRAME, "article": _POST_FRAME,
               "main": _POST_FRAME}
_ROLE_FRAMES = {"banner": _SITE_FRAME, "contentinfo": _SITE_FRAME}
_PAGE_TAGS = ("body", "html")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


class Vocabulary:
    """The class and id tokens of each kind of zone, compiled: the base vocabulary and
    *extra* boilerplate tokens (a profile's, in the same notation).  ``class_kinds``
    and ``id_kinds`` give the kinds a class or id attribute value names."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.exact: dict[str, int] = {}
        self.ids: dict[str, int] = {}
        patterns: dict[int, tuple[list[str], list[str], list[str]]] = {}
        table = [(kind, p) for kind, names in VOCABULARY.items() for p in names]
        table += [(EXTRA, p) for p in extra]
        for kind, pattern in table:
            name = pattern.lower()
            prefixes, suffixes, infixes = patterns.setdefault(kind, ([], [], []))
            if name.startswith("#"):
                self.ids[name[1:]] = self.ids.get(name[1:], 0) | kind
            elif name.startswith("*") and name.endswith("*"):
                infixes.append(name.strip("*"))
            elif name.endswith("*"):
                prefixes.append(name[:-1])
            elif name.startswith("*"):
                suffixes.append(name[1:])
            else:
                self.exact[name] = self.exact.get(name, 0) | kind
        self._patterns = [(kind, tuple(p), tuple(s), tuple(i))
                          for kind, (p, s, i) in patterns.items() if p or s or i]
        self._names = {kind: frozenset(n for n, k in self.exact.items() if k & kind)
                       for kind in VOCABULARY}
        # Bounded: a theme repeats the same values on every page, post ids differ.
        self.class_kinds = lru_cache(maxsize=8192)(self._class_kinds)
        self.id_kinds = lru_cache(maxsize=8192)(self._id_kinds)

    def names(self, kind: int) -> frozenset[str]:
        """The exact class tokens of *kind* (one kind)."""
        return self._names.get(kind, frozenset())

    def token_kinds(self, token: str) -> int:
        """The kinds a lowercased class or id *token* names."""
        if token.startswith(IGNORED_PREFIXES):
            return 0
        kinds = self.exact.get(token, 0)
        for kind, prefixes, suffixes, infixes in self._patterns:
            if (token.startswith(prefixes) or token.endswith(suffixes)
                    or any(i in token for i in infixes)):
                kinds |= kind
        return kinds

    def _class_kinds(self, value: str) -> int:
        """The kinds a class attribute *value* names (with the post frame bit for a
        post's element)."""
        tokens = value.lower().split()
        kinds = 0
        for token in tokens:
            kinds |= self.token_kinds(token)
        if not _POST_TOKENS.isdisjoint(tokens):
            kinds |= _POST_FRAME
        if not _POST_CLASS_MARKS.isdisjoint(tokens) or any(
                t.startswith(_POST_CLASS_PREFIXES) for t in tokens):
            kinds &= CONTENT | _POST_FRAME
        return kinds

    def _id_kinds(self, value: str) -> int:
        """The kinds an id attribute *value* names."""
        token = value.strip().lower()
        return self.ids.get(token, 0) | self.token_kinds(token)

    def _named_id_kinds(self, value: str) -> int:
        """The kinds an id *value* names by exact names only (a heading's)."""
        token = value.strip().lower()
        return self.ids.get(token, 0) | self.exact.get(token, 0)

    def _own(self, el: HtmlElement) -> int:
        """The kinds *el* itself names by its tag, role, classes and id, with its
        frame bits."""
        tag = el.tag
        kinds = TAG_KINDS.get(tag, 0) | _TAG_FRAMES.get(tag, 0)
        names = el.keys()
        if not names:
            return kinds
        for name in names:
            if name == "class":
                kinds |= self.class_kinds(el.get("class"))
            elif name == "id":
                ident = el.get("id")
                kinds |= (self._named_id_kinds(ident) if tag in _HEADINGS
                          else self.id_kinds(ident))
            elif name == "role":
                role = (el.get("role") or "").strip().lower()
                kinds |= ROLE_KINDS.get(role, 0) | _ROLE_FRAMES.get(role, 0)
            elif name == "itemprop":
                if el.get("itemprop") == "articleBody":
                    kinds |= CONTENT
            elif name == "hidden" or (name == "aria-hidden" and el.get(name) == "true"):
                kinds |= HIDDEN
        return kinds

    def kinds_of(self, el: HtmlElement) -> int:
        """The kinds *el* itself names (by tag, role, classes and id)."""
        return self._own(el) & ALL

    def around(self, el: HtmlElement, stop: HtmlElement | None = None) -> int:
        """The kinds of *el* and every element around it up to ``<body>`` (or up to
        *stop*, the post's element: its headers and footers are the post's own)."""
        own = self._own
        kinds = frame = 0
        node: HtmlElement | None = el
        while node is not None and node.tag not in _PAGE_TAGS:
            if node is stop:
                frame = _POST_FRAME
                break
            found = own(node)
            kinds |= found & ALL
            if found & _FRAMES:  # walking out: the outermost frame wins
                frame = _POST_FRAME if found & _POST_FRAME else _SITE_FRAME
            node = node.getparent()
        return _kinds(kinds | frame)

    def inside(self, el: HtmlElement, kinds: int, stop: HtmlElement | None = None) -> bool:
        """Whether *el* is in a zone of *kinds* (up to *stop*, see ``around``)."""
        return bool(self.around(el, stop) & kinds)

    def is_post(self, el: HtmlElement) -> bool:
        """Whether *el* is a post's element: ``<article>``, ``<main>``, or classes
        ``post`` or ``post_class()``'s ``hentry``."""
        return bool(self._own(el) & _POST_FRAME)


def _kinds(summary: int) -> int:
    """The kinds of a summary: CHROME when its outermost frame is the site's."""
    return (summary & ALL) | (CHROME if summary & _SITE_FRAME else 0)


class PageZones:
    """The zones of one page, each element's worked out once: links, dates and
    fields ask about the same ancestors again and again."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        # Summaries from the element outwards (kinds and the outermost frame).
        self._summaries: dict[HtmlElement, int] = {}

    def around(self, el: HtmlElement) -> int:
        """``Vocabulary.around`` of *el*."""
        summaries = self._summaries
        chain = []
        node: HtmlElement | None = el
        outer = 0  # the summary of what is around the chain, from <body> in
        while node is not None:
            known = summaries.get(node)
            if known is not None:
                outer = known
                break
            if node.tag in _PAGE_TAGS:
                break
            chain.append(node)
            node = node.getparent()
        own = self.vocabulary._own
        for node in reversed(chain):  # from the outermost in
            found = own(node)
            # An outer frame holds; an element's own frame counts when none is around it.
            if found & _FRAMES and not outer & _FRAMES:
                outer |= _POST_FRAME if found & _POST_FRAME else _SITE_FRAME
            outer |= found & ALL
            summaries[node] = outer
        return _kinds(outer)

    def inside(self, el: HtmlElement, kinds: int) -> bool:
        """Whether *el* is in a zone of *kinds*."""
        return bool(self.around(el) & kinds)


DEFAULT = Vocabulary()


@lru_cache(maxsize=64)
def vocabulary(extra: tuple[str, ...] = ()) -> Vocabulary:
    """The base vocabulary with *extra* boilerplate tokens (a profile's)."""
    return Vocabulary(extra) if extra else DEFAULT
