"""Which encoding a page is decoded in: pure functions, then the downloader middleware."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.misc import build_from_crawler

import crawler.encoding
from crawler.encoding import best_encoding, declared_encoding, looks_arabic, utf8_share
from crawler.middlewares import CharsetMiddleware
from tests.conftest import cnn_in_cp1256, project_crawler

FIXTURES = Path(__file__).parent / "fixtures"
UTF8_PAGE = (FIXTURES / "newspaper4k_arabic_article.html").read_bytes()
CP1256_META = cnn_in_cp1256(declared=True)
CP1256_BARE = cnn_in_cp1256(declared=False)
TITLE = "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"
FIRST_WORDS = "أكدت جهات سورية معارضة أن فصائل مسلحة"
FRENCH = "<html><body><p>Le café crème coûte très cher à Genève, déjà noté.</p></body></html>"
SPANISH = "<html><body><p>Mañana habrá más días así; aquí está el árbol de María.</p></body></html>"
GREEK = "<html><body><p>Η Αθήνα είναι η πρωτεύουσα της Ελλάδας και μεγάλη πόλη.</p></body></html>"


def test_doctests():
    result = doctest.testmod(crawler.encoding)
    assert result.failed == 0 and result.attempted > 5


def html(text: str) -> str:
    return f"<html><head><title>t</title></head><body><p>{text}</p></body></html>"


def one_stray_byte(page: bytes) -> bytes:
    """A UTF-8 page with one cp1252 byte pasted into it."""
    middle = page.index(b"</title>")
    return page[:middle] + b" caf\xe9" + page[middle:]


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    # Mislabelled or unlabelled windows-1256.
    (CP1256_BARE, "text/html", "cp1256"),
    (CP1256_BARE, "text/html; charset=utf-8", "cp1256"),
    (CP1256_BARE, "text/html; charset=ISO-8859-1", "cp1256"),
    (CP1256_BARE, "text/html; charset=us-ascii", "cp1256"),
    (CP1256_META, "text/html; charset=UTF-8", "cp1256"),
    # Correctly labelled windows-1256 stays.
    (CP1256_META, "text/html", None),
    (CP1256_BARE, "text/html; charset=windows-1256", None),
    # UTF-8 wins over a single-byte label.
    (UTF8_PAGE, "text/html; charset=windows-1256", "utf-8"),
    (UTF8_PAGE, "text/html; charset=iso-8859-1", "utf-8"),
    (UTF8_PAGE, "text/html", None),
    (UTF8_PAGE, "text/html; charset=utf-8", None),
    # A stray byte does not make a UTF-8 page windows-1256.
    (one_stray_byte(UTF8_PAGE), "text/html; charset=utf-8", None),
    (one_stray_byte(UTF8_PAGE), "text/html; charset=windows-1256", "utf-8"),
    # Pages in other languages keep their labels, or their absence.
    (FRENCH.encode("cp1252"), "text/html", None),
    (FRENCH.encode("cp1252"), "text/html; charset=iso-8859-1", None),
    (SPANISH.encode("cp1252"), "text/html", None),
    (SPANISH.encode("cp1252"), "text/html; charset=iso-8859-1", None),
    (GREEK.encode("iso-8859-7"), "text/html; charset=iso-8859-7", None),
    # A byte order mark is final; ASCII needs nothing.
    (html(TITLE).encode("utf-16"), "text/html; charset=windows-1256", None),
    (b"\xef\xbb\xbf" + html(TITLE).encode("utf-8"), "text/html; charset=windows-1256", None),
    (html("plain ASCII").encode(), "text/html; charset=windows-1256", None),
])
def test_best_encoding(body: bytes, content_type: str, expected: str | None):
    assert best_encoding(body, declared_encoding(body, content_type)) == expected


def test_a_utf16_label_is_not_second_guessed():
    body = html(TITLE).encode("utf-16-le")
    assert best_encoding(body, "utf-16-le") is None


def test_declared_encoding_follows_scrapy_order():
    # Header over <meta>, as Scrapy and browsers do.
    assert declared_encoding(CP1256_META, "text/html; charset=utf-8") == "utf-8"
    assert declared_encoding(CP1256_META, "text/html") == "cp1256"
    assert declared_encoding(CP1256_BARE, "text/html") is None


def test_utf8_share_separates_damaged_utf8_from_windows_1256():
    assert utf8_share(one_stray_byte(UTF8_PAGE)) > 0.99
    assert utf8_share(CP1256_BARE) < 0.2


def test_mojibake_is_not_arabic():
    assert looks_arabic(CP1256_BARE.decode("cp1256"))
    assert not looks_arabic(CP1256_BARE.decode("cp1252", "replace"))
    assert not looks_arabic(UTF8_PAGE.decode("cp1256"))  # UTF-8 read as windows-1256


# -- the middleware ------------------------------------------------------------

def middleware(**settings: object) -> tuple[CharsetMiddleware, dict]:
    crawler = project_crawler(settings=settings)
    mw = build_from_crawler(CharsetMiddleware, crawler)
    return mw, crawler.stats.get_stats()  # type: ignore[union-attr]


def page(body: bytes, content_type: str | None = "text/html") -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse("https://example.com/a/", body=body, headers=headers)


@pytest.mark.parametrize(("body", "content_type", "stat"), [
    (CP1256_BARE, "text/html", "encoding/fixed/none->cp1256"),
    (CP1256_BARE, None, "encoding/fixed/none->cp1256"),
    (CP1256_BARE, "text/html; charset=utf-8", "encoding/fixed/utf-8->cp1256"),
    (CP1256_BARE, "text/html; charset=ISO-8859-1", "encoding/fixed/cp1252->cp1256"),
    (CP1256_META, "text/html; charset=utf-8", "encoding/fixed/utf-8->cp1256"),
    (UTF8_PAGE, "text/html; charset=windows-1256", "encoding/fixed/cp1256->utf-8"),
])
def test_middleware_fixes_the_text_and_counts(body: bytes, content_type: str | None, stat: str):
    mw, stats = middleware()
    response = page(body, content_type)
    fixed = mw.process_response(Request(response.url), response)
    assert isinstance(fixed, HtmlResponse)
    assert TITLE in fixed.text and FIRST_WORDS in fixed.text
    assert (fixed.selector.css("title::text").get() or "").startswith(TITLE)
    assert fixed.body == body  # the raw bytes are kept as they came
    assert stats == {stat: 1}


def test_without_the_middleware_the_page_is_garbled():
    # What the middleware is for: Scrapy alone decodes these wrongly.
    assert TITLE not in page(CP1256_BARE, "text/html; charset=ISO-8859-1").text
    assert TITLE not in page(UTF8_PAGE, "text/html; charset=windows-1256").text


@pytest.mark.parametrize(("body", "content_type"), [
    (CP1256_META, "text/html"),
    (UTF8_PAGE, "text/html; charset=utf-8"),
    (FRENCH.encode("cp1252"), "text/html"),
])
def test_middleware_returns_right_pages_untouched(body: bytes, content_type: str):
    mw, stats = middleware()
    response = page(body, content_type)
    assert mw.process_response(Request(response.url), response) is response
    assert stats == {}


def test_middleware_leaves_other_responses_alone():
    mw, stats = middleware()
    response = TextResponse("https://example.com/wp-json/", body=CP1256_BARE,
                            headers={"Content-Type": "application/json"})
    assert mw.process_response(Request(response.url), response) is response
    assert stats == {}


def test_middleware_can_be_switched_off():
    with pytest.raises(NotConfigured):
        middleware(ENCODING_ENABLED=False)


# -- properties ----------------------------------------------------------------

ARABIC_WORDS = st.lists(
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى", min_size=2, max_size=9),
    min_size=8, max_size=40).map(" ".join)
LABELS = st.sampled_from([None, "utf-8", "iso-8859-1", "windows-1256", "us-ascii"])


@settings(max_examples=60, deadline=None)
@given(text=ARABIC_WORDS, label=LABELS)
def test_any_arabic_page_in_windows_1256_reads_right(text: str, label: str | None):
    mw, _ = middleware()
    content_type = f"text/html; charset={label}" if label else "text/html"
    response = page(html(text).encode("cp1256"), content_type)
    assert text in mw.process_response(Request(response.url), response).text


@settings(max_examples=60, deadline=None)
@given(text=st.one_of(ARABIC_WORDS, st.text(st.characters(codec="utf-8"),
                                             min_size=1).filter(lambda t: not t.isascii())),
       label=LABELS)
def test_any_utf8_page_reads_right(text: str, label: str | None):
    mw, _ = middleware()
    content_type = f"text/html; charset={label}" if label else "text/html"
    response = page(html(text).encode("utf-8"), content_type)
    assert mw.process_response(Request(response.url), response).text == html(text)
