"""The article parser on real pages damaged at random: it never crashes, returns fields
of the right types, and never lets markup or script text into a body."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement
from parsel import Selector
from scrapy.http import HtmlResponse

from crawler.dates import published_from_page
from crawler.extract import extract_fields
from crawler.links import RoleLink, find_links
from crawler.profiles import PROFILES
from crawler.text import collapse_space

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://www.example.com/2024/05/01/مقال/"


def real_pages() -> dict[str, bytes]:
    """The saved real pages, by name."""
    paths = [*FIXTURES.glob("htmldate_*.html"), FIXTURES / "newspaper4k_arabic_article.html",
             *FIXTURES.glob("pages/wp_*.html")]
    pages = {p.name: p.read_bytes() for p in sorted(paths)}
    for gz in FIXTURES.glob("fundus_*.html.gz"):
        pages[gz.name] = gzip.decompress(gz.read_bytes())
    return pages


PAGES = real_pages()
TAG = re.compile(rb"<[^<>]{0,200}>")
# Markup in text: "<" and a letter, or "</" and a tag name.
MARKUP = re.compile(r"<[A-Za-z]|</[A-Za-z][A-Za-z0-9]*|<script", re.I)


# -- mutations ---------------------------------------------------------------------

@st.composite
def truncate(draw: st.DrawFn, body: bytes) -> bytes:
    return body[: draw(st.integers(0, len(body)))]


@st.composite
def drop_tags(draw: st.DrawFn, body: bytes) -> bytes:
    spans = [m.span() for m in TAG.finditer(body)]
    doomed = draw(st.sets(st.integers(0, len(spans) - 1), max_size=40)) if spans else set()
    for index in sorted(doomed, reverse=True):
        start, end = spans[index]
        body = body[:start] + body[end:]
    return body


@st.composite
def flip_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    data = bytearray(body)
    for _ in range(draw(st.integers(1, 30))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return bytes(data)


@st.composite
def insert_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 10))):
        at = draw(st.integers(0, len(body)))
        chunk = draw(st.one_of(st.binary(min_size=1, max_size=20),
                               st.sampled_from([b"<", b">", b"</div>", b"<p>", b"<script>",
                                                b"</body>", b"<!--", b"&", b"\x00", b"\xd8"])))
        body = body[:at] + chunk + body[at:]
    return body


MUTATIONS = (truncate, drop_tags, flip_bytes, insert_bytes)


class Damaged:
    """A damaged page; its repr names the page and the damage, not 100 kB of bytes."""

    def __init__(self, name: str, steps: list[str], body: bytes):
        self.name, self.steps, self.body = name, steps, body

    def __repr__(self) -> str:
        return f"Damaged({self.name!r}, {self.steps!r}, {len(self.body)} bytes)"


@st.composite
def damaged_pages(draw: st.DrawFn) -> Damaged:
    name = draw(st.sampled_from(sorted(PAGES)))
    body = PAGES[name]
    mutations = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3))
    for mutation in mutations:
        body = draw(mutation(body))
    return Damaged(name, [m.__name__ for m in mutations], body)


# -- the parser as the spider runs it -------------------------------------------------

class Parsed(NamedTuple):
    """What the parser made of a page, and what the checks need to know of it."""

    fields: dict
    links: list[RoleLink]
    dates: tuple
    scripts: list[str]
    title_holds_markup: bool


def parse(body: bytes, profile: str) -> Parsed:
    """Links, dates, then fields (extraction edits the tree), as spiders/article.py does."""
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    root = response.selector.root
    scripts = script_texts(root)
    # <title> is raw text: with its end tag damaged it swallows the rest of the page.
    swallowed = any(MARKUP.search(el.text_content()) for el in root.iter("title"))
    links = find_links(root, response.url)
    dates = published_from_page(Selector(root=root, type="html"), "Asia/Beirut")
    fields = extract_fields(root, PROFILES[profile])
    return Parsed(fields, links, dates, scripts, swallowed)


def script_texts(root: HtmlElement) -> list[str]:
    """Distinctive pieces of every script and style of the page (long enough to be
    no coincidence)."""
    texts = (collapse_space(el.text_content()) for el in root.iter("script", "style"))
    return [text[:60] for text in texts if len(text) >= 60]


def check(parsed: Parsed) -> None:
    fields, links, dates = parsed.fields, parsed.links, parsed.dates
    for name in ("title", "author", "language"):
        assert fields[name] is None or isinstance(fields[name], str), name
    assert isinstance(fields["body"], str)
    for name in ("categories", "tags"):
        assert isinstance(fields[name], list) and all(isinstance(v, str) for v in fields[name])
    assert all(isinstance(link, RoleLink) and isinstance(link.url, str)
               and link.role in ("prev", "next", "read_also") for link in links)
    assert len(dates) == 2 and all(d is None or isinstance(d, str) for d in dates)
    body = fields["body"]
    assert not MARKUP.search(body), MARKUP.search(body)
    for text in parsed.scripts:
        assert text not in body, text


def test_the_undamaged_pages_pass_the_checks():
    parsed = {name: parse(body, "wordpress") for name, body in PAGES.items()}
    for name, page in parsed.items():
        check(page)
        assert page.fields["body"], name  # every page has a body: the checks saw real text
        assert not page.title_holds_markup
    assert sum(bool(page.scripts) for page in parsed.values()) > 5


def test_a_title_that_swallowed_the_page_stays_out_of_the_body():
    # Two flipped bits ("<" ^ 1 == "="): text before the doctype, and a title that
    # holds the rest of the page as text; the fallback body was the page's source.
    body = PAGES["wp_twentytwentyone.html"].replace(b"</title>", b"=/title>")
    body = b"=" + body.removeprefix(b"<")
    parsed = parse(body, "wordpress")
    assert parsed.title_holds_markup
    assert not MARKUP.search(parsed.fields["body"])


def test_control_characters_do_not_crash_the_extraction():
    text = "نص المقال " * 10
    body = (f"<html><body><article><div class='entry-content'><p>{text}</p>"
            "<div class='sharedaddy'>share</div>\x01 بقية</div></article></body></html>")
    fields = parse(body.encode(), "wordpress").fields
    assert fields["body"].startswith(text.strip())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(page=damaged_pages(), profile=st.sampled_from(sorted(PROFILES)))
def test_damaged_pages_never_crash_the_parser(page: Damaged, profile: str):
    check(parse(page.body, profile))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(sorted(PAGES)), cut=st.floats(0, 1))
def test_a_page_cut_anywhere_parses(name: str, cut: float):
    body = PAGES[name]
    check(parse(body[: int(cut * len(body))], "wordpress"))
