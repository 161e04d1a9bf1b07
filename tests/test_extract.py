"""Parse tests on saved pages: real Arabic news pages and real WordPress markup."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from parsel import Selector

from crawler.dates import published_from_page
from crawler.extract import extract_fields, paragraphs
from crawler.profiles import JANOUBIA, WORDPRESS
from crawler.samplesite import generate
from crawler.text import normalize_arabic

FIXTURES = Path(__file__).parent / "fixtures"
# Gold values copied from ../shared/data/arabic (fundus and newspaper4k test sets).
LBCI_TITLE = "شعر وردي يُشعل السخرية… لغز لون شعر دونالد ترامب يربك الجمهور وخبير يشرح السبب"
CNN_TITLE = "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"


def page(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def fields(name: str, profile=WORDPRESS) -> dict:
    root = lxml.html.fromstring(page(name))
    return extract_fields(root, profile)


def word_f1(got: str, gold: str) -> float:
    """The benchmark's score: F1 over the multiset of normalised word tokens."""
    got_words, gold_words = (Counter(normalize_arabic(t).split()) for t in (got, gold))
    common = sum((got_words & gold_words).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got_words.values()), common / sum(gold_words.values())
    return 2 * precision * recall / (precision + recall)


@pytest.fixture(scope="module")
def lbci_gold() -> dict:
    return json.loads((FIXTURES / "fundus_LBCGroup.json").read_text(encoding="utf-8"))["V1"]


def test_lbci_title_body_and_date(lbci_gold):
    found = fields("fundus_LBCGroup_2026_01_08.html.gz")
    gold_body = "\n\n".join(p for s in lbci_gold["body"]["sections"] for p in s["paragraphs"])
    assert found["title"] == LBCI_TITLE
    assert word_f1(found["body"], gold_body) >= 0.98
    assert found["body"].count("\n\n") + 1 == len(found["body"].split("\n\n"))
    sel = Selector(text=page("fundus_LBCGroup_2026_01_08.html.gz").decode("utf-8"))
    published, _ = published_from_page(sel, "UTC")
    assert published == "2026-01-08T11:42:50+00:00"


def test_cnn_title_and_body():
    found = fields("newspaper4k_arabic_article.html")
    gold = (FIXTURES / "newspaper4k_arabic_article.txt").read_text(encoding="utf-8")
    assert found["title"] == CNN_TITLE  # not the "CNN" logo in the first <h1>
    assert word_f1(found["body"], gold) >= 0.9
    assert found["language"] == "ar"


def test_elbaladtv_body_leaves_out_the_jnews_read_also_block():
    found = fields("htmldate_1806793639.html")
    assert found["title"] == "تركى آل الشيخ بعد إصابة يسرا بكورونا: يارب يرفع عنك"
    assert found["author"] == "ضحى عرفة"
    assert found["body"].startswith("انتشر خبر خلال الساعات الأخيرة")
    assert "أيضا" not in normalize_arabic(found["body"])
    assert "يسرا" in found["tags"]


def test_block_theme_post_every_field():
    found = fields("pages/wp_block_theme.html")
    assert found["title"] == "بلدية صور تطلق خطة لتنظيف الشاطئ الجنوبي"
    assert found["author"] == "ريما حيدر"
    assert found["categories"] == ["محليات", "بيئة"]
    assert found["tags"] == ["صور", "الشاطئ"]
    assert found["language"] == "ar"
    assert found["body"].split("\n\n") == [
        "أعلنت بلدية صور اليوم عن خطة شاملة لتنظيف الشاطئ الجنوبي للمدينة، بالتعاون مع جمعيات"
        " أهلية ومتطوعين من أبناء المنطقة.",
        "وقال رئيس البلدية في مؤتمر صحافي إن الخطة تمتد على ثلاثة أشهر، وتشمل إزالة النفايات"
        " البلاستيكية وتركيب حاويات جديدة على طول الكورنيش.",
        "مراحل الخطة",
        "المرحلة الأولى: مسح الشاطئ وتحديد النقاط الأكثر تلوثاً.",
        "المرحلة الثانية: حملات تنظيف أسبوعية بمشاركة المدارس.",
        "وأكد أن البلدية ستنشر تقريراً شهرياً عن التقدم المحرز، داعياً المواطنين إلى المشاركة"
        " والإبلاغ عن أي مخالفات.",
    ]


def test_commenter_is_not_the_author():
    html = page("pages/wp_block_theme.html").replace(
        b'<div class="wp-block-post-author-name">', b'<div class="x">')
    found = extract_fields(lxml.html.fromstring(html), WORDPRESS)
    assert found["author"] != "أبو علي"


def test_paragraphs_split_at_blocks_and_line_breaks():
    root = lxml.html.fromstring(
        "<div><p>أ <b>ب</b></p>نص حر<br>سطر<div>ج<p>د</p>هـ</div><!-- c --></div>")
    assert paragraphs(root) == ["أ ب", "نص حر", "سطر", "ج", "د", "هـ"]


@pytest.mark.parametrize("theme", ["core", "tagdiv", "local", "jnews"])
def test_sample_site_pages_of_every_theme(theme):
    site = generate(40, seed=3)
    truth = {a["url"]: a for a in site.truth_for("http://o")["articles"]}
    checked = 0
    for index, name in enumerate(site.themes):
        if name != theme:
            continue
        url = site.article_url(index + 1, "http://o")
        if url not in truth:
            continue
        html = site.pages[site.article_paths[index]].render("http://o")
        found = extract_fields(lxml.html.fromstring(html), JANOUBIA)
        expected = truth[url]
        assert {k: found[k] for k in ("title", "author", "categories", "tags", "body")} == {
            k: expected[k] for k in ("title", "author", "categories", "tags", "body")}
        checked += 1
    assert checked >= 5


def test_block_theme_post_without_tags_has_no_tags():
    """Block themes mark category links rel="tag" too: they are not tags."""
    html = page("pages/wp_block_theme.html")
    start = html.index(b'<div class="taxonomy-post_tag')
    html = html[:start] + html[html.index(b"</div>", start) + 6:]
    found = extract_fields(lxml.html.fromstring(html), WORDPRESS)
    assert found["categories"] == ["محليات", "بيئة"]
    assert found["tags"] == []


def test_dates_of_other_posts_in_a_query_loop_are_not_the_posts_date():
    """Twenty Twenty-Five's single template shows no date of its own, only those of
    the "More posts" query loop below the post."""
    html = page("pages/wp_block_theme.html").decode("utf-8")
    html = html.replace('<time datetime="2024-08-15T09:30:00+03:00">15 آب 2024</time>', "")
    more = ('<div class="wp-block-query"><ul class="wp-block-post-template">'
            '<li class="wp-block-post"><h3 class="wp-block-post-title"><a href="https://news.example/2024/09/01/x/">آخر</a>'
            '</h3><div class="wp-block-post-date"><time datetime="2024-09-01T08:00:00+03:00">'
            '1 أيلول 2024</time></div></li></ul></div>')
    html = html.replace("</main>", more + "</main>")
    published, _ = published_from_page(Selector(text=html), "Asia/Beirut")
    assert published is None or not published.startswith("2024-09-01")


QUERIES = [".entry-content", "h1.entry-title, #masthead a", "div:not(.entry-content) p",
           ".entry-header .author a", "#comments", "a[rel~=category]", ".no-such-class",
           "article .entry-content p:first-child", "#no-such-id, .site-title a"]


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "pages").glob("*.html")))
def test_queries_skipped_for_absent_classes_find_what_a_full_pass_finds(name: str) -> None:
    from lxml.cssselect import CSSSelector

    from crawler.extract import css

    root = lxml.html.fromstring(page(f"pages/{name}"))
    for query in QUERIES:
        assert css(root, query) == CSSSelector(query, translator="html")(root), query
    # Elements removed since the page's classes were read: still the same answers.
    for el in css(root, ".entry-content"):
        el.getparent().remove(el)
    for query in QUERIES:
        assert css(root, query) == CSSSelector(query, translator="html")(root), query


def _post(content: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(
        "<html><body><article><h1 class=entry-title>عنوان المقال</h1><div class=entry-content>"
        "<p>فقرة أولى من نص المقال تكفي لتكون متن المقال كله.</p>"
        f"{content}</div></article></body></html>")


def test_body_keeps_blocks_whose_classes_name_a_zone_only_as_part_of_a_token():
    """Block and layout flags (``has-*``, ``is-style-*``), tag slugs and Elementor's
    widget wrappers are the post's; related-posts, share and newsletter blocks are not."""
    kept = ('<div class="wp-block-group has-social-links-background is-style-related">'
            "<p>فقرة في مجموعة</p></div>"
            '<div class="elementor-widget-container"><p>فقرة في عنصر</p></div>'
            '<p class="tag-related-news">فقرة موسومة</p>')
    dropped = ('<div class="jp-relatedposts"><p>مقال ذو صلة</p></div>'
               '<section class="related-posts"><p>مقال آخر</p></section>'
               "<div class='yarpp yarpp-related'><p>مقال ثالث</p></div>"
               '<div class="sharedaddy sd-sharing-enabled"><p>شارك</p></div>'
               '<div class="newsletter-signup"><p>اشترك</p></div>')
    body = extract_fields(_post(kept + dropped), WORDPRESS)["body"]
    assert body.split("\n\n") == ["فقرة أولى من نص المقال تكفي لتكون متن المقال كله.",
                                  "فقرة في مجموعة", "فقرة في عنصر", "فقرة موسومة"]


def test_a_profiles_boilerplate_tokens_leave_the_body():
    content = ('<div class="box-more"><p>مربع الموقع</p></div>'
               '<div id="outbrain"><p>إعلان</p></div><p class="promo-strip">عرض</p>')
    profile = replace(WORDPRESS, boilerplate_tokens=("box-more", "#outbrain", "promo-*"))
    assert extract_fields(_post(content), profile)["body"] == (
        "فقرة أولى من نص المقال تكفي لتكون متن المقال كله.")
    assert "مربع الموقع" in extract_fields(_post(content), WORDPRESS)["body"]
