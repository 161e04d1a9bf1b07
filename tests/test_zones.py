"""What each part of a page is (``crawler.zones``): whole class and id tokens and element
roles, on the wrappers, plugins and WordPress-generated classes of real themes."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from crawler import zones as Z
from crawler.zones import PageZones, Vocabulary

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted([*FIXTURES.glob("pages/*.html"), *FIXTURES.glob("themes/*.html"),
                *FIXTURES.glob("*.html")])


def element(markup: str) -> lxml.html.HtmlElement:
    """The element ``<x>`` marks, in a page where it sits right under ``<body>``."""
    root = lxml.html.fromstring(f"<html><body>{markup}</body></html>")
    return root.xpath("//x")[0]


@pytest.mark.parametrize("value", [
    # Layout wrappers and state flags around the post itself.
    "content-area has-sidebar", "site-content no-sidebar", "ast-right-sidebar",
    "content-sidebar-wrap", "layout__2-sidebars-inline", "md:[grid-area:sidebar]",
    "has-share-float no-share", "hide-social-icons", "sidebar_content",
    # Elementor names every widget, the post content's too.
    "elementor-widget-container", "elementor-element elementor-widget elementor-widget-wrap",
    "elementor-widget-theme-post-content",
    # post_class() and body_class() tokens carry slugs.
    "post-123 post type-post status-publish format-standard hentry tag-related-news",
    "post-6601 type-post has-post-thumbnail listing-item wc-related-upsell-columns-4",
    "series-related type-post hentry", "tag-food-related-reading", "tag-menu category-social",
    "post-related-news", "postid-12 single-post",
    # Read-also, a module the site itself names plainly: its links are the editors'.
    "related", "jnews_inline_related_post",
])
def test_not_boilerplate(value: str) -> None:
    assert not Z.DEFAULT.class_kinds(value) & Z.BOILERPLATE


@pytest.mark.parametrize(("value", "kind"), [
    ("jp-relatedposts", Z.RELATED), ("related-posts", Z.RELATED),
    ("yarpp yarpp-related yarpp-template-list", Z.RELATED), ("crp_related", Z.RELATED),
    ("post-related", Z.RELATED), ("td_block_related_posts", Z.RELATED),
    ("jnews_related_post_container", Z.RELATED), ("wp-block-query alignwide", Z.RELATED),
    ("sharedaddy sd-sharing-enabled", Z.SHARE), ("dpsp-content-wrapper", Z.SHARE),
    ("post-share single-post-share", Z.SHARE), ("td-post-sharing", Z.SHARE),
    ("elementor-widget-social-icons", Z.SHARE),
    ("widget widget_recent_entries", Z.SIDEBAR), ("widget-area", Z.SIDEBAR),
    ("fusion-widget-area", Z.SIDEBAR), ("sidebar", Z.SIDEBAR),
    ("comments-area", Z.COMMENTS), ("comment-list", Z.COMMENTS), ("commentlist", Z.COMMENTS),
    ("menu-item menu-item-type-taxonomy", Z.MENU), ("penci-breadcrumb", Z.MENU),
    ("site-footer", Z.CHROME), ("jeg_header", Z.CHROME),
    ("adsbygoogle", Z.PROMO), ("newsletter-signup", Z.PROMO),
])
def test_boilerplate(value: str, kind: int) -> None:
    assert Z.DEFAULT.class_kinds(value) & kind


def test_content_tokens_of_a_post_class_element_still_count() -> None:
    """Twenty Twenty-One marks its <article> ``entry`` beside post_class()."""
    value = "post-318 post type-post status-publish format-standard hentry entry"
    assert Z.DEFAULT.class_kinds(value) & Z.CONTENT


@pytest.mark.parametrize(("markup", "kinds"), [
    ("<aside><x></x></aside>", Z.ASIDE),
    ("<div role='complementary'><x></x></div>", Z.ASIDE),
    ("<div id='secondary'><x></x></div>", Z.SIDEBAR),
    ("<div id='comments'><x></x></div>", Z.COMMENTS),
    ("<form id='commentform' class='comment-form'><x></x></form>", Z.COMMENTS | Z.FORM),
    ("<nav class='navigation post-navigation'><x></x></nav>", Z.NAV),
    ("<div role='navigation'><x></x></div>", Z.NAV),
    ("<footer><x></x></footer>", Z.CHROME | Z.META),
    ("<header><x></x></header>", Z.CHROME),
    ("<article><footer class='entry-footer'><x></x></footer></article>", Z.CONTENT | Z.META),
    ("<div class='post hentry'><header><x></x></header></div>", 0),
    ("<footer><article><x></x></article></footer>", Z.CHROME | Z.META | Z.CONTENT),
    ("<div class='site-footer'><article><x></x></article></div>", Z.CHROME | Z.CONTENT),
    ("<div role='contentinfo'><x></x></div>", Z.CHROME),
    ("<div hidden><x></x></div>", Z.HIDDEN),
])
def test_roles(markup: str, kinds: int) -> None:
    el = element(markup)
    assert Z.DEFAULT.around(el) == kinds
    assert PageZones(Z.DEFAULT).around(el) == kinds


def test_body_classes_are_page_wide_flags() -> None:
    root = lxml.html.fromstring(
        "<html><body class='has-sidebar widget showing-comments'><p><x></x></p></body></html>")
    assert Z.DEFAULT.around(root.xpath("//x")[0]) == 0


def test_a_stop_is_the_post_its_header_and_footer_are_its_own() -> None:
    el = element("<div class='post-box'><footer><x></x></footer></div>")
    assert Z.DEFAULT.around(el) & Z.CHROME
    assert not Z.DEFAULT.around(el, stop=el.getparent().getparent()) & Z.CHROME


def test_a_profile_adds_tokens() -> None:
    vocabulary = Vocabulary(("box-more", "promo-*", "#outbrain"))
    for value in ("box-more", "promo-strip"):
        assert vocabulary.class_kinds(value) & Z.EXTRA & Z.BOILERPLATE
    assert vocabulary.id_kinds("outbrain") & Z.EXTRA
    assert not vocabulary.class_kinds("outbrain") & Z.EXTRA
    assert not Z.DEFAULT.class_kinds("box-more")
    assert Z.vocabulary(("box-more",)) is Z.vocabulary(("box-more",))
    assert Z.vocabulary() is Z.DEFAULT


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_page_zones_agree_with_a_walk_of_each_element(path: Path) -> None:
    """The per-page index works each element out once; it says what a walk says."""
    root = lxml.html.fromstring(path.read_bytes())
    zones = PageZones(Z.DEFAULT)
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for el in reversed(elements):  # the innermost first: the index fills from there
        assert zones.around(el) == Z.DEFAULT.around(el), lxml.html.tostring(el)[:200]


def test_a_headings_id_is_made_from_its_text() -> None:
    """Table-of-contents plugins give "20. We Are Social" the id "20-we-are-social"."""
    assert not Z.DEFAULT.kinds_of(element("<h3 id='20-we-are-social'><x></x></h3>").getparent())
    assert Z.DEFAULT.kinds_of(element("<div id='20-we-are-social'><x></x></div>").getparent())
    assert Z.DEFAULT.kinds_of(element("<h3 id='comments'><x></x></h3>").getparent())
