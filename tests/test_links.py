"""Links by role (prev, next, read-also) on theme markup and on saved real pages."""

from __future__ import annotations

import dataclasses
import gzip
from pathlib import Path

import lxml.html
import pytest
from parsel import Selector

from crawler.links import RoleLink, find_links, read_also_blocks
from crawler.text import collapse_space
from crawler.zones import PageZones, vocabulary

FIXTURES = Path(__file__).parent / "fixtures"
THEMES = FIXTURES / "themes"

ELBALAD_URL = (
    "https://elbaladtv.net/%d8%aa%d8%b1%d9%83%d9%89-%d8%a2%d9%84-%d8%a7%d9%84%d8%b4%d9%8a%d8%ae-"
    "%d8%a8%d8%b9%d8%af-%d8%a5%d8%b5%d8%a7%d8%a8%d8%a9-%d9%8a%d8%b3%d8%b1%d8%a7-%d8%a8%d9%83%d9%88"
    "%d8%b1%d9%88%d9%86%d8%a7-%d9%8a%d8%a7/"
)


def parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_bytes())


def triples(root: lxml.html.HtmlElement, url: str) -> list[tuple[str, str, str]]:
    return [(link.url, link.role, link.rule) for link in find_links(root, url)]


def page(body: str, head: str = "") -> lxml.html.HtmlElement:
    """A small article page around *body* (inside the content container)."""
    return lxml.html.fromstring(
        f"<html dir=rtl><head>{head}</head><body><main><article>"
        f"<h1 class=entry-title>عنوان</h1><div class=entry-content>{body}</div>"
        "</article></main></body></html>")


HERE = "https://site.example/2020/01/02/this/"

# --- themes: (fixture, page URL, exact (url, role, rule) in document order) -----------

THEME_CASES = [
    ("twentytwentyone_en.html", "https://news.example.com/2023/05/10/council-budget/", [
        ("https://news.example.com/2023/05/08/school-opens/", "prev", "rel"),
        ("https://news.example.com/2023/05/12/river-cleanup/", "next", "rel"),
    ]),
    ("twentytwentyone_ar.html", "https://akhbar.example.org/2017/09/12/x/", [
        ("https://akhbar.example.org/2017/09/11/%d8%a7%d9%84%d9%85%d8%af%d8%b1%d8%b3%d8%a9/",
         "prev", "rel"),
        ("https://akhbar.example.org/2017/09/13/%d8%a7%d9%84%d9%86%d9%87%d8%b1/", "next", "rel"),
    ]),
    ("twentytwenty.html", "https://blog.example.net/2021/03/05/book-fair/", [
        ("https://blog.example.net/2021/03/02/%d9%85%d8%b9%d8%b1%d8%b6/", "prev",
         "class:previous-post"),
        ("https://blog.example.net/2021/03/09/%d8%a3%d9%85%d8%b3%d9%8a%d8%a9/", "next",
         "class:next-post"),
    ]),
    ("twentytwentyfour.html", "https://valley.example.com/2024/10/01/harvest/", [
        ("https://valley.example.com/2024/09/28/library-hours/", "prev", "rel"),
        ("https://valley.example.com/2024/10/05/bridge-works/", "next", "rel"),
    ]),
    ("jannah.html", "https://janoub.example.com/2017/09/12/%d8%a7%d9%84%d8%b7%d8%a7%d9%82%d8%a9/", [
        ("https://janoub.example.com/2017/09/11/%d8%a7%d9%84%d9%86%d9%81%d8%b7/", "prev", "rel"),
        ("https://janoub.example.com/2017/09/13/%d8%a7%d9%84%d9%85%d9%8a%d8%a7%d9%87/", "next",
         "rel"),
    ]),
    ("sahifa.html", "https://sharq.example.com/2016/03/03/army/", [
        ("https://sharq.example.com/2016/03/02/%d8%a7%d9%84%d8%a7%d9%86%d8%aa%d8%ae%d8%a7%d8%a8"
         "%d8%a7%d8%aa/", "prev", "rel"),
        ("https://sharq.example.com/2016/03/04/%d8%a7%d9%84%d9%85%d9%88%d8%a7%d8%b2%d9%86%d8%a9/",
         "next", "rel"),
    ]),
    ("tagdiv_newspaper.html", "https://nahar.example.com/2019/03/14/bread/", [
        ("https://nahar.example.com/2019/03/13/%d8%a7%d9%84%d8%b0%d9%87%d8%a8/", "prev",
         "class:td-post-prev-post"),
        ("https://nahar.example.com/2019/03/15/%d8%a7%d9%84%d9%88%d9%82%d9%88%d8%af/", "next",
         "class:td-post-next-post"),
    ]),
    ("jnews.html", "https://balad.example.com/%d9%85%d8%b9%d8%b1%d8%b6/", [
        ("https://balad.example.com/%d8%b3%d9%8a%d8%a7%d8%b1%d8%a9-%d9%83%d9%87%d8%b1%d8%a8%d8%a7"
         "%d8%a6%d9%8a%d8%a9/", "read_also", "read_also:jnews"),
        ("https://balad.example.com/%d8%b3%d8%b9%d8%b1-%d8%a7%d9%84%d8%af%d9%88%d9%84%d8%a7%d8%b1/",
         "prev", "class:jeg_prevnext_post"),
        ("https://balad.example.com/%d9%85%d8%a8%d8%a7%d8%b1%d8%a7%d8%a9-%d8%a7%d9%84%d9%82%d9%85"
         "%d8%a9/", "next", "class:jeg_prevnext_post"),
    ]),
    ("publisher.html", "https://khabar.example.com/2018/03/05/reshuffle/", [
        ("https://khabar.example.com/2018/03/04/%d8%a7%d9%84%d8%a8%d8%b1%d9%84%d9%85%d8%a7%d9%86/",
         "prev", "rel"),
        ("https://khabar.example.com/2018/03/06/%d8%a7%d9%84%d9%86%d9%82%d8%a7%d8%a8%d8%a7%d8%aa/",
         "next", "rel"),
    ]),
    ("label_only.html", "https://janoubia.example/2017/09/12/%d8%b5%d9%8a%d8%af%d8%a7/", [
        ("https://janoubia.example/2017/09/11/%d9%85%d9%8a%d9%86%d8%a7%d8%a1-%d8%b5%d9%8a%d8%af"
         "%d8%a7/", "prev", "label:ar"),
        ("https://janoubia.example/2017/09/13/%d9%85%d8%b9%d8%b1%d8%b6-%d8%a7%d9%84%d9%83%d8%aa"
         "%d8%a7%d8%a8/", "next", "label:ar"),
    ]),
    ("label_en.html", "https://coast.example.com/2022/03/07/port/", [
        ("https://coast.example.com/2022/03/06/fishermen/", "prev", "label:en"),
        ("https://coast.example.com/2022/03/08/lighthouse/", "next", "label:en"),
    ]),
    ("traps.html", "https://south.example.com/2018/05/10/teachers/", [
        ("https://south.example.com/2018/05/09/%d8%a7%d9%84%d8%b7%d9%84%d8%a7%d8%a8/", "prev",
         "label:ar"),
        ("https://south.example.com/2018/05/11/%d8%a7%d9%84%d8%a7%d9%85%d8%aa%d8%ad%d8%a7%d9%86"
         "%d8%a7%d8%aa/", "next", "label:ar"),
    ]),
]


@pytest.mark.parametrize(("fixture", "url", "expected"), THEME_CASES,
                         ids=[case[0] for case in THEME_CASES])
def test_theme_links(fixture: str, url: str, expected: list[tuple[str, str, str]]) -> None:
    """Exactly the neighbours (and read-also links) of each theme, nothing from its
    menus, comments, sidebars, related posts, share bars or footer."""
    assert triples(parse(THEMES / fixture), url) == expected


# Themes whose anchors carry rel=prev/next, and the class rule that must take over
# when a plugin or a customised template drops rel.
WITHOUT_REL = [
    ("twentytwentyone_en.html", "class:nav-previous", "class:nav-next"),
    ("twentytwentyone_ar.html", "class:nav-previous", "class:nav-next"),
    ("twentytwentyfour.html", "class:post-navigation-link-previous",
     "class:post-navigation-link-next"),
    ("jannah.html", "class:prev-post", "class:next-post"),
    ("sahifa.html", "class:post-previous", "class:post-next"),
    ("publisher.html", "class:prev-post", "class:next-post"),
]


@pytest.mark.parametrize(("fixture", "prev_rule", "next_rule"), WITHOUT_REL,
                         ids=[case[0] for case in WITHOUT_REL])
def test_theme_classes_without_rel(fixture: str, prev_rule: str, next_rule: str) -> None:
    url, expected = next((c[1], c[2]) for c in THEME_CASES if c[0] == fixture)
    root = parse(THEMES / fixture)
    for anchor in root.iter("a"):
        anchor.attrib.pop("rel", None)
    rules = {"prev": prev_rule, "next": next_rule}
    assert triples(root, url) == [(u, role, rules[role]) for u, role, _ in expected]


def test_head_link_rel_is_pagination_not_a_neighbour() -> None:
    root = page("<p>نص</p>", head='<link rel="prev" href="/a/"><link rel="next" href="/b/">')
    assert find_links(root, HERE) == []


def test_rel_with_several_tokens_and_any_label() -> None:
    root = page('<a rel="nofollow prev" href="/p/">‹</a> <a rel="NEXT noopener" href="/n/"></a>')
    assert triples(root, HERE) == [
        ("https://site.example/p/", "prev", "rel"), ("https://site.example/n/", "next", "rel")]


def test_rel_in_pagination_blocks_is_ignored() -> None:
    root = page(
        '<nav class="navigation pagination"><div class="nav-links">'
        '<a class="prev page-numbers" rel="prev" href="/page/1/">السابق</a>'
        '<a class="next page-numbers" rel="next" href="/page/3/">التالي</a></div></nav>'
        '<div class="page-links">'
        '<a rel="next" href="/this/2/" class="post-page-numbers">2</a></div>')
    assert find_links(root, HERE) == []


# --- labels ----------------------------------------------------------------------------

@pytest.mark.parametrize(("markup", "role"), [
    ('<a href="/x/">السابق</a>', "prev"),
    ('<a href="/x/">« السابق</a>', "prev"),
    ('<a href="/x/">المقالة السابقة</a>', "prev"),
    ('<a href="/x/">المقالـــة السابقــة</a>', "prev"),  # tatweel
    ('<a href="/x/">الموضوع السابق: عنوان الموضوع</a>', "prev"),
    ('<a href="/x/">المقال السابق<br>عنوان المقال</a>', "prev"),
    ('<a href="/x/"><span>التدوينة السابقة</span> <strong>عنوان</strong></a>', "prev"),
    ('<a href="/x/">التالي ›</a>', "next"),
    ('<a href="/x/">الخبر التالي</a>', "next"),
    ('<a href="/x/">المقال اللاحق</a>', "next"),
    ('<div class=box><span>المنشور التالي</span><a href="/x/">عنوان</a></div>', "next"),
    ('<div class=box><small>اللاحق</small><h4><a href="/x/">عنوان</a></h4></div>', "next"),
    ("<p>السابق: <a href='/x/'>عنوان</a></p>", "prev"),
])
def test_arabic_labels(markup: str, role: str) -> None:
    assert triples(page(markup), HERE) == [("https://site.example/x/", role, "label:ar")]


@pytest.mark.parametrize("markup", [
    # A related article titled "التالي" is a headline, not a label.
    '<div class=related><h3 class="post-title"><a href="/x/">التالي</a></h3></div>',
    '<div class=related><a href="/x/"><h3 class=title>السابق</h3></a></div>',
    '<div class=related><h4>التالي</h4><a href="/x/">عنوان</a></div>',
    '<div class=related><span class="entry-title">السابق</span><a href="/x/">عنوان</a></div>',
    # A title that merely starts with the word.
    '<a href="/x/">التالي في ترتيب الدوري</a>',
    '<p>قال الوزير السابق إن <a href="/x/">الخطة</a> فشلت.</p>',
    # English labels outside a navigation block.
    '<p>See the <a href="/x/">Next</a> story.</p>',
])
def test_not_labels(markup: str) -> None:
    assert find_links(page(markup), HERE) == []


def test_english_labels_keep_the_page_direction() -> None:
    """WordPress's "previous" is the older post: roles follow the page's words."""
    root = page('<nav class="post-nav"><a href="/o/">Older</a> <a href="/n/">Newer</a>'
                '<div class=nav-previous></div></nav>')
    assert triples(root, HERE) == [("https://site.example/o/", "prev", "label:en"),
                                   ("https://site.example/n/", "next", "label:en")]


# --- exclusions ------------------------------------------------------------------------

ZONES = [
    "<aside>{}</aside>",
    '<div id="comments" class="comments-area">{}</div>',
    '<ol class="comment-list"><li>{}</li></ol>',
    '<aside class="widget-area">{}</aside>',
    '<div id="sidebar">{}</div>',
    '<div class="widget widget_text">{}</div>',
    '<div class="sharedaddy">{}</div>',
    '<div class="share-links">{}</div>',
    '<div class="a2a_kit">{}</div>',
    '<ul class="social-icons"><li>{}</li></ul>',
    '<ul class="menu"><li>{}</li></ul>',
    '<div class="jp-relatedposts">{}</div>',
    '<section class="related-posts"><ul><li>{}</li></ul></section>',
    "<div class='yarpp yarpp-related yarpp-template-list'><ol><li>{}</li></ol></div>",
    '<div role="complementary">{}</div>',
    '<div class="dpsp-content-wrapper dpsp-shape-rectangular">{}</div>',
]
# Wrappers whose classes hold a zone's name only as part of a token: layout flags,
# page builders' widget wrappers, post_class() slugs.
NOT_ZONES = [
    '<div class="content-area has-sidebar">{}</div>',
    '<div class="elementor-element elementor-widget elementor-widget-theme-post-content">'
    '<div class="elementor-widget-container">{}</div></div>',
    '<div class="post-7 post type-post hentry tag-related-news category-social">{}</div>',
    '<div class="layout__2-sidebars-inline no-share">{}</div>',
]


@pytest.mark.parametrize("zone", ZONES)
def test_links_in_excluded_zones_are_never_returned(zone: str) -> None:
    link = '<a href="/x/">التالي</a>'
    assert find_links(page(zone.format(link)), HERE) == []
    assert find_links(page(f"<div class=box>{link}</div>"), HERE) != []  # the same link counts


@pytest.mark.parametrize("wrapper", NOT_ZONES)
def test_links_in_wrappers_named_like_zones_are_returned(wrapper: str) -> None:
    link = '<a href="/x/">التالي</a>'
    assert triples(page(wrapper.format(link)), HERE) == [
        ("https://site.example/x/", "next", "label:ar")]


def test_a_profiles_boilerplate_tokens_hold_no_links() -> None:
    root = page('<div class="box-more"><p>اقرأ أيضاً: <a href="/r/">عنوان</a></p>'
                '<a rel="next" href="/x/">التالي</a></div>')
    assert find_links(root, HERE, PageZones(vocabulary(("box-more",)))) == []
    assert len(find_links(root, HERE)) == 2


@pytest.mark.parametrize("chrome", ["<header class=site-header>{}</header>",
                                    "<footer id=colophon>{}</footer>"])
def test_site_header_and_footer_are_excluded_but_not_the_articles_own(chrome: str) -> None:
    link = '<a rel="next" href="/x/">عنوان</a>'
    site = lxml.html.fromstring(f"<html><body>{chrome.format(link)}<main>نص</main></body></html>")
    assert find_links(site, HERE) == []
    own = page(f"<footer>{link}</footer>")  # tagDiv puts its neighbours in the article footer
    assert triples(own, HERE) == [("https://site.example/x/", "next", "rel")]


@pytest.mark.parametrize("anchor", [
    '<a rel="next author" href="/author/x/">التالي</a>',
    '<a rel="prev category tag" href="/category/x/">السابق</a>',
    '<a rel="next tag" href="/tag/x/">التالي</a>',
    '<a rel="next" href="#comments">التالي</a>',
    '<a rel="next" href="">التالي</a>',
    '<a rel="next">التالي</a>',
    '<a rel="next" href="javascript:void(0)">التالي</a>',
    '<a rel="next" href="mailto:a@site.example">التالي</a>',
    '<a rel="next" href="tel:+9611000000">التالي</a>',
    f'<a rel="next" href="{HERE}#respond">التالي</a>',  # the page itself
])
def test_unfollowable_anchors(anchor: str) -> None:
    assert find_links(page(anchor), HERE) == []


# --- read-also -------------------------------------------------------------------------

R = "https://janoubia.example/2017/"
READ_ALSO_EXPECTED = [
    (R + "09/10/%d8%a7%d9%84%d9%85%d8%b2%d8%a7%d8%b1%d8%b9%d9%88%d9%86/", "read_also:inline"),
    (R + "09/08/%d8%a7%d9%84%d8%aa%d8%a8%d8%ba/", "read_also:strong_label"),
    (R + "09/07/%d8%a7%d9%84%d9%83%d9%87%d8%b1%d8%a8%d8%a7%d8%a1/", "read_also:in_link"),
    (R + "09/06/%d8%a7%d9%84%d9%85%d9%8a%d8%a7%d9%87/", "read_also:inline"),
    (R + "09/05/%d8%a7%d9%84%d9%86%d9%81%d8%a7%d9%8a%d8%a7%d8%aa/", "read_also:inline"),
    (R + "09/04/%d8%a7%d9%84%d9%85%d8%af%d8%a7%d8%b1%d8%b3/", "read_also:strong_label"),
    (R + "08/30/%d8%b3%d9%88%d9%82-%d8%a7%d9%84%d8%ae%d8%b6%d8%a7%d8%b1/",
     "read_also:heading_list"),
    (R + "08/28/%d8%a7%d9%84%d8%a8%d8%b3%d8%b7%d8%a7%d8%aa/", "read_also:heading_list"),
    (R + "08/20/%d8%a7%d9%84%d9%88%d8%b2%d9%8a%d8%b1/", "read_also:heading_list"),
    (R + "08/18/%d8%a7%d9%84%d8%ba%d9%84%d8%a7%d8%a1/", "read_also:heading_list"),
]
READ_ALSO_PAGE = "https://janoubia.example/2017/09/12/%d8%a7%d9%84%d9%86%d8%a8%d8%b7%d9%8a%d8%a9/"


def test_every_read_also_shape() -> None:
    """Inline, label in <strong>/<b>, label inside the link, several links in one
    paragraph, a heading and its list, a heading and its link paragraphs; not "شاهد
    أيضا", not "اقرأ المزيد", not a link in prose, not the sidebar or the footer."""
    found = triples(parse(THEMES / "read_also.html"), READ_ALSO_PAGE)
    assert found == [(url, "read_also", rule) for url, rule in READ_ALSO_EXPECTED]


@pytest.mark.parametrize(("markup", "rule"), [
    ("<p>إقرأ أيضا: <a href='/r/'>«عنوان»</a></p>", "read_also:inline"),
    ("<p>اقرأ أيضًا: «<a href='/r/'>عنوان</a>»</p>", "read_also:inline"),
    ("<p><strong>اقرأ أيضاً:</strong> <a href='/r/'>عنوان</a></p>", "read_also:strong_label"),
    ("<p><span style='color:red'>طالع أيضا</span> <a href='/r/'>عنوان</a></p>",
     "read_also:strong_label"),
    ("<p><strong>اقرأ أيضا: <a href='/r/'>عنوان</a></strong></p>", "read_also:inline"),
    ("<p><a href='/r/'>اقرأ ايضا: «عنوان»</a></p>", "read_also:in_link"),
    ("<p><a href='/r/'><strong>إقرأ أيضا</strong> عنوان</a></p>", "read_also:in_link"),
    ("<h2>مواضيع ذات صلة</h2><ul><li><a href='/r/'>عنوان</a></li></ul>",
     "read_also:heading_list"),
    ("<div><strong>قد يهمك أيضا</strong><ol><li><a href='/r/'>عنوان</a></li></ol></div>",
     "read_also:heading_list"),
    ("<p><b>أخبار ذات صلة:</b></p><p>- <a href='/r/'>عنوان</a></p>", "read_also:heading_list"),
])
def test_read_also_shapes(markup: str, rule: str) -> None:
    assert triples(page(markup), HERE) == [("https://site.example/r/", "read_also", rule)]


@pytest.mark.parametrize("markup", [
    "<p>شاهد أيضا: <a href='/r/'>فيديو</a></p>",
    "<p><a class=more-link href='/r/'>اقرأ المزيد</a></p>",
    "<p>وقال أيضا إن <a href='/r/'>الوزارة</a> سترد.</p>",
    "<p>اقرأ أيضا</p><p>فقرة عادية بلا روابط.</p>",
    "<h3>مقالات ذات صلة</h3><p>نص <a href='/r/'>رابط</a> في جملة.</p>",
])
def test_not_read_also(markup: str) -> None:
    assert find_links(page(markup), HERE) == []


def test_read_also_outside_the_content_is_ignored() -> None:
    root = lxml.html.fromstring(
        "<html><body><article><div class=entry-content><p>نص المقال</p></div></article>"
        "<div class=after-post><p>إقرأ أيضا: <a href='/r/'>عنوان</a></p></div></body></html>")
    assert find_links(root, HERE) == []


def test_elbaladtv_read_also_links_are_the_jnews_inline_block() -> None:
    """The real page (JNews theme): the inline "إقرأ أيضاً" block holds two posts,
    each linked from its thumbnail, title and date; the sidebar's JNews blocks and
    the tags are not read-also links, and the page has no prev/next anchors."""
    links = find_links(parse(FIXTURES / "htmldate_1806793639.html"), ELBALAD_URL)
    assert links == [
        RoleLink("https://elbaladtv.net/%d8%a7%d9%84%d9%85%d8%af%d9%8a%d8%b1-%d8%a7%d9%84%d9%81"
                 "%d9%86%d9%8a-%d9%84%d9%81%d8%b1%d9%8a%d9%82-%d8%a7%d9%84%d9%81%d9%8a%d9%88%d9%85"
                 "-%d9%87%d8%af%d9%81%d9%86%d8%a7-%d8%a7%d9%84%d9%85%d8%b1%d8%a8/",
                 "read_also", "read_also:jnews"),
        RoleLink("https://elbaladtv.net/%d9%85%d8%b5%d8%b1-%d8%aa%d9%83%d8%b3%d8%b1-%d8%ad%d8%a7"
                 "%d8%ac%d8%b2-%d8%a3%d9%84%d9%81-%d8%a5%d8%b5%d8%a7%d8%a8%d8%a9-%d8%a8%d9%83%d9%88"
                 "%d8%b1%d9%88%d9%86%d8%a7-%d9%85%d9%86%d8%b0-169-%d9%8a%d9%88/",
                 "read_also", "read_also:jnews"),
    ]


@pytest.mark.parametrize(("title", "expected"), [("إقرأ أيضاً", ["read_also:jnews"]),
                                               ("الأكثر مشاهدة", [])])
def test_jnews_post_block_in_the_content_counts_when_headed_read_also(
        title: str, expected: list[str]) -> None:
    block = (
        '<div class="jeg_postblock_21 jeg_postblock"><div class="jeg_block_heading">'
        f'<h3 class="jeg_block_title"><span>{title}</span></h3></div>'
        '<div class="jeg_block_container"><article class="jeg_post"><div class="jeg_thumb">'
        '<a href="/r/"><img src="/i.jpg"></a></div><h3 class="jeg_post_title">'
        '<a href="/r/">عنوان</a></h3></article></div></div>')
    assert [link.rule for link in find_links(page(f"<p>نص</p>{block}"), HERE)] == expected


def test_lbcgroup_neighbours_by_arabic_label_elements() -> None:
    """A real non-WordPress page (ASP.NET, the whole page in one <form>): an empty
    overlay link and a <span>التالي</span> three levels away from it."""
    root = lxml.html.fromstring(gzip.decompress(
        (FIXTURES / "fundus_LBCGroup_2026_01_08.html.gz").read_bytes()))
    base = "https://www.lbcgroup.tv/news/lifestyle/"
    assert [(link.url.removeprefix(base)[:6], link.role, link.rule)
            for link in find_links(root, base + "898682/x/ar")] == [
        ("898730", "next", "label:ar"), ("898507", "prev", "label:ar")]


def test_akhbarelyom_read_also_module() -> None:
    """A real page whose "إقرأ أيضاً" heading sits in its own block before the list."""
    root = parse(FIXTURES / "htmldate_1731695567.html")
    found = find_links(root, "https://akhbarelyom.com/news/newdetails/3126898/1/x")
    assert [(link.url.split("/")[5], link.rule) for link in found] == [
        ("3126902", "read_also:heading_list"), ("3126822", "read_also:heading_list"),
        ("3126817", "read_also:heading_list")]


# --- read_also_blocks ------------------------------------------------------------------

def paragraphs(el: lxml.html.HtmlElement) -> list[str]:
    return [collapse_space(p.text_content()) for p in el.iter("p", "h3", "li")]


def test_read_also_blocks_leave_the_article_paragraphs() -> None:
    root = parse(THEMES / "read_also.html")
    body = root.find_class("entry-content")[0]
    blocks = read_also_blocks(root, body)
    assert [(b.tag, collapse_space(b.text_content())) for b in blocks] == [
        ("p", "إقرأ أيضا: «المزارعون يطالبون بالدعم»"),
        ("p", "اقرأ أيضاً: زراعة التبغ في خطر"),
        ("p", "اقرأ ايضا: «الكهرباء تغيب عن القرى»"),
        ("p", "إقرأ أيضاً: «أزمة المياه» و«النفايات في الشوارع»"),
        ("p", "اقرأ كذلك: المدارس تفتح أبوابها"),
        ("h3", "مقالات ذات صلة"),
        ("ul", "سوق الخضار البسطات في الشارع"),
        ("p", "اقرأ أيضا"),
        ("p", "زيارة الوزير"),
        ("p", "الغلاء يضرب الأسواق"),
    ]
    assert read_also_blocks(root) == blocks
    for block in blocks:
        block.getparent().remove(block)
    assert paragraphs(body) == [
        "تشهد أسواق النبطية حركة خفيفة هذا الأسبوع، وقال التجار أيضا إن الأسعار ارتفعت.",
        "ويشكو أصحاب المحال من تراجع القدرة الشرائية.",
        "وختم أحد التجار بالقول إن الموسم المقبل سيكون أفضل.",
        "وكان وزير الاقتصاد قد زار السوق الشهر الماضي.",
        "وفي الختام دعا التجار إلى دعم الإنتاج المحلي.",
        "شاهد أيضا: جولة مصورة",
        "اقرأ المزيد",
    ]


def test_read_also_blocks_only_inside_body() -> None:
    root = lxml.html.fromstring(
        "<html><body><div id=a><p>اقرأ أيضا: <a href='/1/'>أ</a></p></div>"
        "<div id=b><p>نص</p><p>اقرأ أيضا: <a href='/2/'>ب</a></p></div></body></html>")
    body = root.get_element_by_id("b")
    assert [b.text_content() for b in read_also_blocks(root, body)] == ["اقرأ أيضا: ب"]
    assert len(read_also_blocks(root)) == 2


def test_read_also_blocks_never_return_the_body_itself() -> None:
    root = lxml.html.fromstring(
        "<html><body><div>اقرأ أيضا: <a href='/1/'>أ</a></div></body></html>")
    body = root.find("body/div")
    assert read_also_blocks(root, body) == []
    assert read_also_blocks(root) == [body]


def test_read_also_blocks_of_elbaladtv() -> None:
    root = parse(FIXTURES / "htmldate_1806793639.html")
    body = root.find_class("content-inner")[0]
    blocks = read_also_blocks(root, body)
    assert [b.get("class") for b in blocks] == ["jnews_inline_related_post_wrapper left"]
    blocks[0].getparent().remove(blocks[0])
    text = body.text_content()
    assert "المدير الفني لفريق الفيوم" not in text
    assert [p.text_content()[:20] for p in body.iter("p")] == [
        "انتشر خبر خلال الساع", "إلا أن يسرا لم تثبت ", "في حين أعلن ترك آل ا",
        "يذكر أن أخر أعمال ال"]


# --- URLs, order, dedupe, inputs -------------------------------------------------------

def test_urls_are_joined_to_the_page_or_base_url_not_canonicalised() -> None:
    root = page("<p><a rel=prev href=' ../../01/p/?utm_source=x#top '>«</a></p>")
    assert triples(root, HERE) == [
        ("https://site.example/2020/01/01/p/?utm_source=x#top", "prev", "rel")]
    based = page("<a rel=next href='n/'>»</a>", head="<base href='https://cdn.example/x/'>")
    assert triples(based, HERE) == [("https://cdn.example/x/n/", "next", "rel")]


def test_a_stronger_rule_wins_and_order_is_the_documents() -> None:
    """A link is placed where the rule that reports it found it."""
    root = page(
        "<p>اقرأ أيضا: <a href='/r/'>عنوان</a></p>"
        "<div class=nav-next><a href='/n/'>التالي</a></div>"
        "<div class=nav-previous><a href='/p/'>السابق</a></div>"
        "<p><a rel=next href='/n/'>التالي</a></p>")
    assert triples(root, HERE) == [
        ("https://site.example/r/", "read_also", "read_also:inline"),
        ("https://site.example/p/", "prev", "class:nav-previous"),
        ("https://site.example/n/", "next", "rel"),
    ]


def test_same_url_in_two_roles_is_kept_in_both() -> None:
    root = page("<p>اقرأ أيضا: <a href='/n/'>عنوان</a></p><a rel=next href='/n/'>»</a>")
    assert [(link.role, link.rule) for link in find_links(root, HERE)] == [
        ("read_also", "read_also:inline"), ("next", "rel")]


def test_parsel_root_and_frozen_result() -> None:
    html = (THEMES / "sahifa.html").read_text(encoding="utf-8")
    root = Selector(text=html).root
    links = find_links(root, "https://sharq.example.com/2016/03/03/army/")
    assert [link.role for link in links] == ["prev", "next"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        links[0].url = "https://elsewhere.example/"  # type: ignore[misc]
