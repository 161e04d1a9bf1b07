"""Dates as Arabic news sites print them, and dates read from saved real pages."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from parsel import Selector

from crawler.dates import modified_from_page, parse_date, published_from_page, to_iso

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parents[1]

# (string as printed on the page, site time zone, expected ISO 8601)
FORMS = [
    # Lebanon
    ("12 أيلول 2017", "Asia/Beirut", "2017-09-12T00:00:00+03:00"),
    ("الثلاثاء 12 أيلول 2017", "Asia/Beirut", "2017-09-12T00:00:00+03:00"),
    ("28 آب 2017", "Asia/Beirut", "2017-08-28T00:00:00+03:00"),
    ("28 اب 2017", "Asia/Beirut", "2017-08-28T00:00:00+03:00"),
    ("١٢ أيلول ٢٠١٧", "Asia/Beirut", "2017-09-12T00:00:00+03:00"),
    ("السبت 2 كانون 2 2021 | 10:30", "Asia/Beirut", "2021-01-02T10:30:00+02:00"),
    ("نشر في 15 تشرين الثاني 2019 الساعة 08:45", "Asia/Beirut", "2019-11-15T08:45:00+02:00"),
    ("الخميس 08 كانون الثاني 2026 - 13:42", "Asia/Beirut", "2026-01-08T13:42:00+02:00"),
    ("08-01-2026 | 13:42", "Asia/Beirut", "2026-01-08T13:42:00+02:00"),
    ("الثلاثاء 12 أيلول 2017 الساعة 10:05", "Asia/Beirut", "2017-09-12T10:05:00+03:00"),
    ("الأحد، 31 كانون الأول 2017 - 11:59 م", "Asia/Beirut", "2017-12-31T23:59:00+02:00"),
    ("3 تشرين 1 2019", "Asia/Beirut", "2019-10-03T00:00:00+03:00"),
    ("5 كانون 1 2020", "Asia/Beirut", "2020-12-05T00:00:00+02:00"),
    ("20 تشرين أول 2019", "Asia/Beirut", "2019-10-20T00:00:00+03:00"),
    ("آخر تحديث: 1 ايار 2018 - 09:15", "Asia/Beirut", "2018-05-01T09:15:00+03:00"),
    ("12 Sep 2017 10:05", "Asia/Beirut", "2017-09-12T10:05:00+03:00"),
    # Syria
    ("2017-09-12", "Asia/Damascus", "2017-09-12T00:00:00+03:00"),
    ("الثلاثاء، 12 أيلول، 2017", "Asia/Damascus", "2017-09-12T00:00:00+03:00"),
    ("١٢ أَيْلُول ٢٠١٧", "Asia/Damascus", "2017-09-12T00:00:00+03:00"),
    ("4 شباط 2023 | 18:20", "Asia/Damascus", "2023-02-04T18:20:00+03:00"),
    ("15 اذار 2021", "Asia/Damascus", "2021-03-15T00:00:00+02:00"),
    ("9 نيسان 2019", "Asia/Damascus", "2019-04-09T00:00:00+03:00"),
    ("22 حزيران 2018", "Asia/Damascus", "2018-06-22T00:00:00+03:00"),
    ("14 تموز 2016", "Asia/Damascus", "2016-07-14T00:00:00+03:00"),
    # Iraq
    ("2021/01/02 10:30 مساءً", "Asia/Baghdad", "2021-01-02T22:30:00+03:00"),
    ("12 أيلول 2017 - 10:05 ص", "Asia/Baghdad", "2017-09-12T10:05:00+03:00"),
    ("كانون ثاني 7, 2022", "Asia/Baghdad", "2022-01-07T00:00:00+03:00"),
    ("7 كانون الثانى 2022", "Asia/Baghdad", "2022-01-07T00:00:00+03:00"),
    # Jordan, Palestine
    ("الثلاثاء 12 أيلول / سبتمبر 2017. 10:05 صباحاً", "Asia/Amman", "2017-09-12T10:05:00+03:00"),
    ("الثلاثاء 12 أيلول / سبتمبر 2017. 10:05 مساءً", "Asia/Amman", "2017-09-12T22:05:00+03:00"),
    ("12 أيلول (سبتمبر) 2017", "Asia/Amman", "2017-09-12T00:00:00+03:00"),
    ("2017-09-12 10:05 AM", "Asia/Amman", "2017-09-12T10:05:00+03:00"),
    ("الثلاثاء 12 أيلول 2017 - 21 ذو الحجة 1438", "Asia/Hebron", "2017-09-12T00:00:00+03:00"),
    # Egypt
    ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "Africa/Cairo", "2020-10-07T12:09:00+02:00"),
    ("الإثنين، 24 أغسطس 2020 11:23 ص", "Africa/Cairo", "2020-08-24T11:23:00+02:00"),
    ("07:09 م الأربعاء 07 أكتوبر 2020", "Africa/Cairo", "2020-10-07T19:09:00+02:00"),
    ("7-10-2020 | 12:09", "Africa/Cairo", "2020-10-07T12:09:00+02:00"),
    ("الأربعاء 07-10-2020 00:15", "Africa/Cairo", "2020-10-07T00:15:00+02:00"),
    ("نشر في: الأربعاء 7 أكتوبر 2020 - 12:09 ص | آخر تحديث: الخميس 8 أكتوبر 2020 - 1:00 م",
     "Africa/Cairo", "2020-10-07T00:09:00+02:00"),
    ("الأربعاء 07 أكتوبر 2020 | 12:09 مساءً", "Africa/Cairo", "2020-10-07T12:09:00+02:00"),
    ("15 يونيه 2020", "Africa/Cairo", "2020-06-15T00:00:00+02:00"),
    ("4 يوليه 2020", "Africa/Cairo", "2020-07-04T00:00:00+02:00"),
    ("10 إبريل 2019", "Africa/Cairo", "2019-04-10T00:00:00+02:00"),
    ("10 ابريل 2019", "Africa/Cairo", "2019-04-10T00:00:00+02:00"),
    ("5 يونيو 2023 03:30 م", "Africa/Cairo", "2023-06-05T15:30:00+03:00"),
    ("1 فبراير 2021 - 9:05 ص", "Africa/Cairo", "2021-02-01T09:05:00+02:00"),
    ("2020-08-24T09:23:13Z", "Africa/Cairo", "2020-08-24T09:23:13+00:00"),
    ("2020-12-24T23:59:50+00:00", "Africa/Cairo", "2020-12-24T23:59:50+00:00"),
    ("2020-12-25T01:59:50+02:00", "Africa/Cairo", "2020-12-25T01:59:50+02:00"),
    # Gulf
    ("الثلاثاء 21 ذي الحجة 1438هـ - 12 سبتمبر 2017م", "Asia/Riyadh", "2017-09-12T00:00:00+03:00"),
    ("الثلاثاء - 21 ذو الحجة 1438 هـ - 12 سبتمبر 2017 مـ رقم العدد [14168]", "Asia/Riyadh",
     "2017-09-12T00:00:00+03:00"),
    ("التاريخ: 12 سبتمبر 2017", "Asia/Dubai", "2017-09-12T00:00:00+04:00"),
    ("12/09/2017 00:10:05", "Asia/Dubai", "2017-09-12T00:10:05+04:00"),
    ("2017/09/12 10:05 م", "Asia/Kuwait", "2017-09-12T22:05:00+03:00"),
    ("نُشر في 12/9/2017", "Asia/Qatar", "2017-09-12T00:00:00+03:00"),
    ("12 ديسمبر 2019 - 10:00 ص بتوقيت غرينتش", "Asia/Qatar", "2019-12-12T10:00:00+00:00"),
    ("12 نوفمبر 2018", "Asia/Riyadh", "2018-11-12T00:00:00+03:00"),
    # Algeria
    ("2017/09/12 10:05", "Africa/Algiers", "2017-09-12T10:05:00+01:00"),
    ("3 أوت 2017", "Africa/Algiers", "2017-08-03T00:00:00+01:00"),
    ("الثلاثاء 12 جانفي 2021", "Africa/Algiers", "2021-01-12T00:00:00+01:00"),
    ("15 جويلية 2019 - 16:40", "Africa/Algiers", "2019-07-15T16:40:00+01:00"),
    ("27 فيفري 2020", "Africa/Algiers", "2020-02-27T00:00:00+01:00"),
    ("1 أفريل 2018", "Africa/Algiers", "2018-04-01T00:00:00+01:00"),
    ("20 جوان 2018", "Africa/Algiers", "2018-06-20T00:00:00+01:00"),
    ("5 ماي 2019", "Africa/Algiers", "2019-05-05T00:00:00+01:00"),
    # Tunisia
    ("الثلاثاء 12 سبتمبر 2017 على الساعة 10:05", "Africa/Tunis", "2017-09-12T10:05:00+01:00"),
    ("13 جانفي 2021 - 14:30", "Africa/Tunis", "2021-01-13T14:30:00+01:00"),
    ("12.09.2017 10:05", "Africa/Tunis", "2017-09-12T10:05:00+01:00"),
    # Morocco
    ("الثلاثاء 12 شتنبر 2017 - 10:05", "Africa/Casablanca", "2017-09-12T10:05:00+01:00"),
    ("الخميس 01 غشت 2019 - 22:00", "Africa/Casablanca", "2019-08-01T22:00:00+01:00"),
    ("3 نونبر 2020", "Africa/Casablanca", "2020-11-03T00:00:00+01:00"),
    ("25 دجنبر 2019", "Africa/Casablanca", "2019-12-25T00:00:00+01:00"),
    ("10 يوليوز 2019", "Africa/Casablanca", "2019-07-10T00:00:00+01:00"),
    # English and machine forms met on the same sites
    ("September 12, 2017", "UTC", "2017-09-12T00:00:00+00:00"),
    ("Sep 12, 2017 10:05 PM", "Asia/Beirut", "2017-09-12T22:05:00+03:00"),
    ("Tue, 12 Sep 2017 10:05:00 GMT", "Asia/Beirut", "2017-09-12T10:05:00+00:00"),
    ("Tue, 12 Sep 2017 10:05:00 +0300", "UTC", "2017-09-12T10:05:00+03:00"),
    ("2020-08-24 09:23:13", "Africa/Cairo", "2020-08-24T09:23:13+02:00"),
    ("2026-01-08 11:42:50+00:00", "Asia/Beirut", "2026-01-08T11:42:50+00:00"),
    ("2026-01-08T11:42:50.5630000+02:00", "UTC", "2026-01-08T11:42:50+02:00"),
    ("2017-09-12T10:05:00+0300", "UTC", "2017-09-12T10:05:00+03:00"),
    ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)", "UTC",
     "2013-08-28T14:00:00+04:00"),
    ("2017-09-12T10:05:00-03:00", "Asia/Beirut", "2017-09-12T10:05:00-03:00"),
    ("12 أيلول 2017 10:30 UTC+3", "UTC", "2017-09-12T10:30:00+03:00"),
    # read by the dateparser fallback
    ("1505210700", "UTC", "2017-09-12T10:05:00+00:00"),
    ("Tuesday 12th of September 2017", "UTC", "2017-09-12T00:00:00+00:00"),
]

NOT_DATES = [
    "",
    "   ",
    "بقلم محرر الموقع",
    "hello world",
    "منذ 3 ساعات",
    "31 شباط 2017",
    "30/02/2017",
    "٣١ نيسان ٢٠٢٠",
    "32/13/2017",
    "12 أيلول 1850",
    "12 أيلول 2999",
    "21 ذو الحجة 1438",
    "1438/12/21 هـ",
    "أيلول 2017",
    "12 أيلول",
    "10:30",
    "3 تعليقات",
    "99999999999999999999999",
    "العدد 14168",
]


@pytest.mark.parametrize(("raw", "tz", "expected"), FORMS)
def test_parse_date_real_forms(raw: str, tz: str, expected: str) -> None:
    value = parse_date(raw, tz)
    assert value is not None
    assert to_iso(value) == expected


@pytest.mark.parametrize("raw", NOT_DATES)
def test_parse_date_none(raw: str) -> None:
    assert parse_date(raw, "Asia/Beirut") is None


def test_table_is_large_enough() -> None:
    assert len(FORMS) >= 50


def test_default_time_applies_only_without_a_clock() -> None:
    assert to_iso(parse_date("12 أيلول 2017", "Asia/Beirut", default_time="12:00")) == (
        "2017-09-12T12:00:00+03:00"
    )
    assert to_iso(parse_date("12 أيلول 2017 09:30", "Asia/Beirut", default_time="12:00")) == (
        "2017-09-12T09:30:00+03:00"
    )


def test_local_zone_follows_daylight_saving() -> None:
    summer = parse_date("12 أيلول 2017", "Asia/Beirut")
    winter = parse_date("12 كانون الثاني 2017", "Asia/Beirut")
    assert summer.utcoffset() == timedelta(hours=3)
    assert winter.utcoffset() == timedelta(hours=2)


def test_to_iso_drops_microseconds_and_refuses_naive() -> None:
    value = datetime(2017, 9, 12, 10, 5, 7, 999_999, tzinfo=timezone(timedelta(hours=3)))
    assert to_iso(value) == "2017-09-12T10:05:07+03:00"
    with pytest.raises(ValueError, match="naive"):
        to_iso(datetime(2017, 9, 12))


def test_fast_path_does_not_import_dateparser() -> None:
    code = (
        "import sys; from crawler.dates import parse_date; "
        "assert parse_date('الأربعاء، 07 أكتوبر 2020 - 12:09 م', 'Africa/Cairo'); "
        "assert parse_date('3 أوت 2017') and parse_date('2020-08-24T09:23:13Z'); "
        "print('dateparser' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@given(st.text(max_size=60))
@settings(deadline=None, max_examples=200)
def test_parse_date_never_raises_on_text(raw: str) -> None:
    value = parse_date(raw, "Asia/Beirut")
    assert value is None or value.tzinfo is not None


DATE_TOKENS = st.sampled_from(
    ["12", "31", "2017", "1438", "٢٠١٧", "أيلول", "كانون 2", "أوت", "May", ":", "/", "-", "،",
     "م", "ص", "GMT+", "Z", "+03:00", "10:05", "99:99", " ", "0"]
)


@given(st.lists(st.one_of(DATE_TOKENS, st.text(max_size=2)), max_size=12))
@settings(deadline=None, max_examples=300)
def test_parse_date_never_raises_on_date_like_text(parts: list[str]) -> None:
    value = parse_date("".join(parts), "Africa/Casablanca")
    assert value is None or 1900 <= value.year <= datetime.now().year + 1


FIXED_ZONES = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(datetime.now().year, 12, 31),
        timezones=FIXED_ZONES,
    )
)
def test_iso_round_trip(value: datetime) -> None:
    iso = to_iso(value)
    assert to_iso(parse_date(iso, "Asia/Beirut")) == iso


def _page(name: str) -> Selector:
    data = (FIXTURES / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return Selector(text=data.decode("utf-8"))


def test_akhbarelyom_arabic_date_in_published_time_meta() -> None:
    published, raw = published_from_page(_page("htmldate_1731695567.html"), "Africa/Cairo")
    assert published == "2020-10-07T12:09:00+02:00"
    assert raw == "الأربعاء، 07 أكتوبر 2020 - 12:09 م"


def test_youm7_utc_meta_in_site_zone() -> None:
    sel = _page("htmldate_1691196862.html")
    assert published_from_page(sel, "Africa/Cairo") == (
        "2020-08-24T11:23:13+02:00", "2020-08-24T09:23:13Z",
    )
    assert modified_from_page(sel, "Africa/Cairo") == "2020-08-24T11:23:13+02:00"


def test_elbaladtv_calendar_day_is_the_sites() -> None:
    sel = _page("htmldate_1806793639.html")
    published, raw = published_from_page(sel, "Africa/Cairo")
    assert raw == "2020-12-24T23:59:50+00:00"
    assert published == "2020-12-25T01:59:50+02:00"  # gold: 2020-12-25
    # The same instant, read in UTC, falls on the day before.
    assert published_from_page(sel, "UTC")[0] == "2020-12-24T23:59:50+00:00"


def test_lbci_itemprop_date() -> None:
    sel = _page("fundus_LBCGroup_2026_01_08.html.gz")
    published, raw = published_from_page(sel, "Asia/Beirut")
    assert published == "2026-01-08T13:42:50+02:00"
    assert datetime.fromisoformat(published) == datetime.fromisoformat("2026-01-08 11:42:50+00:00")
    assert raw == "2026-01-08T11:42:50Z"
    assert modified_from_page(sel, "Asia/Beirut") is None


def test_cnn_arabic_visible_date_under_headline() -> None:
    published, raw = published_from_page(_page("newspaper4k_arabic_article.html"), "UTC")
    assert published == "2013-08-28T10:00:00+00:00"
    assert raw == "الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00 (GMT+0400)"


def _html(head: str = "", body: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


def test_jsonld_graph_prefers_article_over_webpage() -> None:
    script = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebPage", "datePublished": "2017-09-01T08:00:00+03:00"},'
        '{"@type": [{"odd": 1}], "datePublished": "2017-08-01"},'
        '{"@type": ["ReportageNewsArticle"], "datePublished": "2017-09-12T10:05:00+03:00",'
        ' "dateModified": "2017-09-13T11:00:00+03:00"}]}</script>'
        '<script type="application/ld+json">{not json</script>'
    )
    sel = _html(head=script)
    assert published_from_page(sel, "Asia/Beirut")[0] == "2017-09-12T10:05:00+03:00"
    assert modified_from_page(sel, "Asia/Beirut") == "2017-09-13T11:00:00+03:00"


def test_time_element_published_before_updated() -> None:
    body = (
        '<article><time class="updated" datetime="2017-09-13T09:00:00+03:00">13</time>'
        '<time class="entry-date published" datetime="2017-09-12T10:05:00+03:00">12</time>'
        "</article>"
    )
    sel = _html(body=body)
    assert published_from_page(sel, "Asia/Beirut")[0] == "2017-09-12T10:05:00+03:00"
    assert modified_from_page(sel, "Asia/Beirut") == "2017-09-13T09:00:00+03:00"


def test_visible_date_skips_sidebar_widgets() -> None:
    body = (
        '<aside class="sidebar"><span class="date">1 أيلول 2017</span></aside>'
        "<h1>عنوان المقال الطويل هنا</h1>"
        '<div class="entry-meta">بقلم فلان | <span class="date">الثلاثاء 12 أيلول 2017</span></div>'
    )
    assert published_from_page(_html(body=body), "Asia/Beirut") == (
        "2017-09-12T00:00:00+03:00", "الثلاثاء 12 أيلول 2017",
    )


def test_unparseable_meta_is_kept_as_raw() -> None:
    sel = _html(head='<meta property="article:published_time" content="قريباً">')
    assert published_from_page(sel, "Asia/Beirut") == (None, "قريباً")
    assert modified_from_page(sel, "Asia/Beirut") is None


POST_TIME = '<time class="entry-date" datetime="2017-09-12T10:05:00+03:00">12 أيلول 2017</time>'
OTHER_TIME = '<time datetime="2017-09-01T08:00:00+03:00">1 أيلول 2017</time>'


@pytest.mark.parametrize("wrapper", [
    '<div class="content-area has-sidebar">{}</div>',
    '<div class="elementor-widget-container">{}</div>',
    '<article class="post-5 post type-post status-publish hentry tag-related-news">{}</article>',
    '<div id="content" class="sidebar_content">{}</div>',
])
def test_time_in_a_wrapper_named_like_a_zone_is_the_posts(wrapper: str) -> None:
    """Layout flags, page builders' widget wrappers and post_class() slugs name no zone."""
    assert published_from_page(_html(body=wrapper.format(POST_TIME)), "Asia/Beirut") == (
        "2017-09-12T10:05:00+03:00", "2017-09-12T10:05:00+03:00")


@pytest.mark.parametrize("zone", [
    '<div class="jp-relatedposts">{}</div>', '<section class="related-posts">{}</section>',
    '<div class="yarpp-related">{}</div>', '<div class="widget widget_recent_entries">{}</div>',
    '<ol class="comment-list"><li>{}</li></ol>', "<nav>{}</nav>", "<footer>{}</footer>",
    '<div class="related">{}</div>',
])
def test_time_of_another_post_is_not_the_posts(zone: str) -> None:
    """Both are found by the last query, ``time[datetime]``: the first one is skipped."""
    plain = POST_TIME.replace('class="entry-date" ', "")
    body = zone.format(OTHER_TIME) + f"<div>{plain}</div>"
    assert published_from_page(_html(body=body), "Asia/Beirut")[0] == "2017-09-12T10:05:00+03:00"
    assert published_from_page(_html(body=f"<div>{OTHER_TIME}</div>{plain}"),
                               "Asia/Beirut")[0] == "2017-09-01T08:00:00+03:00"


def test_last_modified_time_is_not_the_publication() -> None:
    """MDN's pages carry one ``<time>``, in "Last modified"."""
    body = ('<main><p class="article-footer__last-modified">Last modified on '
            '<time datetime="2025-12-19T19:59:21.000Z">Dec 19, 2025</time></p></main>')
    assert published_from_page(_html(body=body), "UTC")[0] is None
