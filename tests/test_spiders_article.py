"""The article spider as Scrapy builds it, fed saved pages: items, aliases, links by role,
the requests it schedules, what it follows, and the project's settings and middleware."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings as project
from crawler.errors import BadStartURL, UnknownProfile
from crawler.items import Article, Fetch
from crawler.middlewares import ContactUserAgentMiddleware
from crawler.profiles import get_profile
from crawler.samplesite import Site, generate
from crawler.shortlinks import is_shortlink
from spiders.article import ArticleSpider, split_urls
from spiders.janoubia import JanoubiaSpider
from tests.conftest import STANDALONE_SPIDER, project_crawler

FIXTURES = Path(__file__).parent / "fixtures"
ORIGIN = "http://127.0.0.1:8000"
NEWS = "https://news.example"
# The block-theme page: its canonical URL, neighbours and read-also target, upper-case hex.
BLOCK_URL = f"{NEWS}/2024/08/15/%D8%A8%D9%84%D8%AF%D9%8A%D8%A9-%D8%B5%D9%88%D8%B1/"
BLOCK_LINKS = [
    {"dst": f"{NEWS}/2024/08/10/%D9%85%D9%87%D8%B1%D8%AC%D8%A7%D9%86-%D8%B5%D9%88%D8%B1/",
     "role": "read_also", "rule": "read_also:strong_label"},
    {"dst": f"{NEWS}/2024/08/14/%D8%A7%D9%84%D8%B7%D9%82%D8%B3/", "role": "prev", "rule": "rel"},
    {"dst": f"{NEWS}/2024/08/16/%D8%A7%D9%84%D9%83%D9%87%D8%B1%D8%A8%D8%A7%D8%A1/",
     "role": "next", "rule": "rel"},
]


def make_spider(profile: str = "janoubia", start_urls: Any = f"{ORIGIN}/",
                settings: dict | None = None, cls: type[ArticleSpider] = ArticleSpider
                ) -> ArticleSpider:
    """The spider as ``scrapy crawl`` builds it, with ``-a``/``-s`` values (sitemaps,
    feeds and archives off unless asked for: these tests look at the links and start
    pages)."""
    crawler = project_crawler(cls, {"DISCOVERY_SITEMAPS": False, "DISCOVERY_FEEDS": False,
                                "DISCOVERY_ARCHIVES": False, **STANDALONE_SPIDER,
                                **(settings or {})})
    kwargs = {"profile": profile} if profile else {}
    if start_urls is not None:
        kwargs["start_urls"] = start_urls
    return cls.from_crawler(crawler, **kwargs)


START = {"link_role": "start"}  # an entry page the crawl started from


def respond(url: str, body: bytes, meta: dict | None = None) -> HtmlResponse:
    """A downloaded page, tied to its request as in a crawl."""
    return HtmlResponse(url, body=body, encoding="utf-8", request=Request(url, meta=meta or {}))


def split_output(output: list) -> tuple[list[Article], list[scrapy.Request]]:
    items = [o for o in output if isinstance(o, Article)]
    requests = [o for o in output if isinstance(o, scrapy.Request)]
    assert len(items) + len(requests) == len(output)
    return items, requests


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(40, seed=1)


@pytest.fixture(scope="module")
def truth(site: Site) -> dict:
    return site.truth_for(ORIGIN)


def lower_hex(url: str) -> str:
    """The URL as WordPress prints it in hrefs and redirects."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), url)


def article_response(site: Site, i: int, meta: dict | None = None,
                     url: str | None = None) -> HtmlResponse:
    path = site.article_paths[i - 1]
    return respond(url or site.article_url(i, ORIGIN), site.pages[path].render(ORIGIN), meta)


# --- article pages of the sample site ----------------------------------------------------


def test_every_sample_article_yields_its_item_then_its_links(site: Site, truth: dict) -> None:
    expected = {a["url"]: a for a in truth["articles"]}
    edges: dict[str, set[tuple[str, str]]] = {}
    for src, dst, role in truth["links"]:
        edges.setdefault(src, set()).add((dst, role))
    themes_seen = set()
    for i in range(1, len(site.article_paths) + 1):
        spider = make_spider()
        output = list(spider.parse(article_response(site, i)))
        assert isinstance(output[0], Article)
        items, requests = split_output(output)
        item = items[0]
        assert len(items) == 1
        url = site.article_url(i, ORIGIN)
        assert item["url"] == url
        assert item["title"] == expected[url]["title"]
        assert item["published"] == expected[url]["published"]
        assert item["word_count"] == expected[url]["word_count"]
        assert item["profile"] == "janoubia"
        assert item["aliases"] == [{"url": f"{ORIGIN}/?p={i}", "reason": "shortlink"}]
        # Links to copies and shortlinks are kept as printed; the truth resolves them.
        resolved = {(truth["aliases"].get(link["dst"], link["dst"]), link["role"])
                    for link in item["links"]}
        assert resolved == edges.get(url, set()), f"article {i} ({site.themes[i - 1]})"
        for link in item["links"]:
            assert link["rule"].startswith("read_also:") == (link["role"] == "read_also")
            assert spider.follows(link["dst"])
        # One request per URL, chain links first: a page linked as next and as read-also
        # is asked for once, as next (a chain link that fails is bridged).
        wanted: dict[str, str] = {}
        for link in sorted(item["links"], key=lambda lk: lk["role"] == "read_also"):
            wanted.setdefault(link["dst"], link["role"])
        # Read-also links to shortlinks wait for the crawl to run out of work: the
        # article may name that shortlink as its own by then.
        held = {dst for dst, role in wanted.items() if role == "read_also" and is_shortlink(dst)}
        assert [(r.url, r.meta["link_role"]) for r in requests] == [
            (dst, role) for dst, role in wanted.items() if dst not in held]
        assert {dst for dst, *_ in spider.shortlinks.release()} == held
        assert {r.meta["link_src"] for r in requests} <= {url}
        assert all(r.callback == spider.parse for r in requests)
        themes_seen.add(site.themes[i - 1])
    assert themes_seen == {"core", "tagdiv", "local", "jnews"}


def test_request_urls_are_canonical_whatever_href_form_the_page_prints(site: Site,
                                                                      truth: dict) -> None:
    forms = 0
    for i in range(1, len(site.article_paths) + 1):
        html = site.pages[site.article_paths[i - 1]].render(ORIGIN).decode()
        forms += html.count("utm_source=") + html.count("fbclid=") + html.count("#comments")
        _, requests = split_output(list(make_spider().parse(article_response(site, i))))
        for request in requests:
            assert not re.search(r"utm_|fbclid|#", request.url), request.url
            assert all(h == h.upper() for h in re.findall(r"%..", request.url)), request.url
            assert truth["aliases"].get(request.url, request.url) in {
                a["url"] for a in truth["articles"]}
    assert forms > 0  # the site prints tracking and fragment forms that were cleaned


def test_copy_page_keeps_its_own_url_and_only_read_also_links(site: Site, truth: dict) -> None:
    copies = {alias: url for alias, url in truth["aliases"].items() if "/?p=" not in alias}
    assert copies
    for copy_url, original in copies.items():
        path = copy_url.removeprefix(ORIGIN)
        item = next(iter(make_spider().parse(respond(copy_url,
                                                     site.pages[path].render(ORIGIN)))))
        assert item["url"] == copy_url
        assert [a["reason"] for a in item["aliases"]] == ["shortlink"]
        assert {lk["role"] for lk in item["links"]} <= {"read_also"}
        original_item = next(iter(make_spider().parse(
            article_response(site, site.article_paths.index(original.removeprefix(ORIGIN)) + 1))))
        assert item["content_hash"] == original_item["content_hash"]


def test_redirect_source_is_an_alias(site: Site) -> None:
    # /?p=5 answered 301 to the permalink as WordPress prints it (lower-case hex).
    final = lower_hex(site.article_url(5, ORIGIN))
    response = article_response(site, 5, meta={"redirect_urls": [f"{ORIGIN}/?p=5"]}, url=final)
    item = next(iter(make_spider().parse(response)))
    assert item["url"] == site.article_url(5, ORIGIN)
    # The shortlink is the same URL: recorded once, with the stronger reason.
    assert item["aliases"] == [{"url": f"{ORIGIN}/?p=5", "reason": "redirect"}]


def test_fetched_url_with_tracking_parameters_is_no_alias(site: Site) -> None:
    url = lower_hex(site.article_url(7, ORIGIN)) + "?utm_source=facebook&fbclid=Iw#comments"
    item = next(iter(make_spider().parse(article_response(site, 7, url=url))))
    assert item["url"] == site.article_url(7, ORIGIN)
    assert item["aliases"] == [{"url": f"{ORIGIN}/?p=7", "reason": "shortlink"}]


# --- the block-theme page with the generic WordPress profile -----------------------------


def block_page() -> bytes:
    return (FIXTURES / "pages" / "wp_block_theme.html").read_bytes()


def test_block_theme_article_item_aliases_links_and_requests() -> None:
    spider = make_spider("wordpress", f"{NEWS}/")
    fetched = f"{NEWS}/2024/08/15/old-slug/?utm_source=fb"
    output = list(spider.parse(respond(fetched, block_page())))
    items, requests = split_output(output)
    assert output[0] is items[0] and len(items) == 1
    item = items[0]
    assert item["url"] == BLOCK_URL
    assert item["aliases"] == [
        {"url": f"{NEWS}/2024/08/15/old-slug/", "reason": "canonical"},
        {"url": f"{NEWS}/?p=42", "reason": "shortlink"},
    ]
    # No author, category, tag, comment, reply or menu links: only the three roles.
    assert item["links"] == BLOCK_LINKS
    assert item["title"] == "بلدية صور تطلق خطة لتنظيف الشاطئ الجنوبي"
    assert item["author"] == "ريما حيدر"
    assert (item["categories"], item["tags"]) == (["محليات", "بيئة"], ["صور", "الشاطئ"])
    assert (item["profile"], item["status"], item["language"]) == ("wordpress", 200, "ar")
    assert re.fullmatch(r"[0-9a-f]{64}", item["content_hash"])
    assert item["word_count"] == len(item["body"].split()) > 50
    # Chain links are requested first.
    assert [(r.url, r.meta["link_role"], r.meta["link_src"]) for r in requests] == [
        (link["dst"], link["role"], BLOCK_URL)
        for link in sorted(BLOCK_LINKS, key=lambda lk: lk["role"] == "read_also")]


def test_block_theme_fetched_at_its_canonical_url_has_only_the_shortlink_alias() -> None:
    item = next(iter(make_spider("wordpress", f"{NEWS}/").parse(
        respond(lower_hex(BLOCK_URL), block_page()))))
    assert item["url"] == BLOCK_URL
    assert item["aliases"] == [{"url": f"{NEWS}/?p=42", "reason": "shortlink"}]


def test_block_theme_publication_time_comes_from_time_datetime() -> None:
    # <time datetime="2024-08-15T09:30:00+03:00">15 آب 2024</time> in .wp-block-post-date:
    # the machine-readable value carries the time and offset the visible date lacks.
    spider = make_spider("wordpress", f"{NEWS}/", settings={"SITE_TIMEZONE": "Asia/Beirut"})
    item = next(iter(spider.parse(respond(BLOCK_URL, block_page()))))
    assert item["published"] == "2024-08-15T09:30:00+03:00"
    assert item["published_raw"] == "2024-08-15T09:30:00+03:00"


def test_rel_canonical_on_another_site_is_not_the_url() -> None:
    page = block_page().replace(f'href="{NEWS}/2024/08/15/'.encode(),
                                b'href="https://mirror.example/2024/08/15/', 1)
    item = next(iter(make_spider("wordpress", f"{NEWS}/").parse(respond(BLOCK_URL, page))))
    assert item["url"] == BLOCK_URL
    assert all("mirror.example" not in a["url"] for a in item["aliases"])


@pytest.mark.parametrize("where", ["canonical", "shortlink", "content_link", "listing_link"])
def test_a_malformed_href_does_not_lose_the_page(where: str) -> None:
    # "http://[..." is an unbalanced IPv6 literal: urllib refuses to join or split it.
    bad = "http://[2001:db8::1/x/"
    page = block_page().decode()
    if where == "canonical":
        page = page.replace(lower_hex(BLOCK_URL), bad, 1)
        assert f'<link rel="canonical" href="{bad}"' in page
    elif where == "shortlink":
        page = page.replace("<link rel='shortlink' href='https://news.example/?p=42'",
                            f"<link rel='shortlink' href='{bad}'")
    elif where == "content_link":
        page = page.replace("<h2 class=\"wp-block-heading\">",
                            f'<p>إقرأ أيضاً: <a href="{bad}">«عنوان»</a></p><h2 '
                            'class="wp-block-heading">')
    spider = make_spider("wordpress", f"{NEWS}/")
    if where == "listing_link":
        home = (f'<html><body><main><article><h2 class="entry-title"><a href="{bad}">أ</a></h2>'
                f'</article><article><h2 class="entry-title"><a href="{BLOCK_URL}">ب</a></h2>'
                "</article></main></body></html>")
        requests = only_requests(spider.parse(respond(f"{NEWS}/", home.encode(), START)))
        assert [r.url for r in requests] == [BLOCK_URL]
        return
    items, _ = split_output(list(spider.parse(respond(BLOCK_URL, page.encode()))))
    assert [item["url"] for item in items] == [BLOCK_URL]


# --- listings and other pages ------------------------------------------------------------


def only_requests(output: Iterable) -> list[scrapy.Request]:
    """The spider's requests, without the Fetch records of the pages themselves."""
    return [o for o in output if not isinstance(o, Fetch)]


@pytest.mark.parametrize("profile", ["janoubia", "wordpress"])
def test_home_page_yields_only_requests_for_its_articles(site: Site, profile: str) -> None:
    spider = make_spider(profile)
    output = list(spider.parse(respond(f"{ORIGIN}/", site.pages["/"].render(ORIGIN), START)))
    newest = [ORIGIN + path for path in reversed(site.chain[-10:])]
    fetches = [o for o in output if isinstance(o, Fetch)]
    assert [f["final_url"] for f in fetches] == [f"{ORIGIN}/"]  # the listing's own fetch
    assert fetches[0]["link_role"] == "start" and fetches[0]["status"] == 200
    output = [o for o in output if not isinstance(o, Fetch)]
    assert all(isinstance(o, scrapy.Request) for o in output)
    assert [r.url for r in output] == newest
    for request in output:
        assert request.meta == {"link_role": "listing", "link_src": f"{ORIGIN}/",
                                "known_streak": 0}
        assert not re.search(r"/(author|category|tag|feed)/", request.url)


def test_category_archive_yields_its_members(site: Site) -> None:
    path = next(p for p in site.pages if p.startswith("/category/"))
    html = site.pages[path].render(ORIGIN)
    requests = only_requests(make_spider().parse(respond(ORIGIN + path, html, START)))
    assert requests and all(isinstance(r, scrapy.Request) for r in requests)
    assert {r.url for r in requests} <= {ORIGIN + p for p in site.article_paths}
    assert {r.meta["link_src"] for r in requests} == {ORIGIN + path}


def test_a_non_article_page_reached_from_a_listing_is_not_expanded(site: Site) -> None:
    """A calendar or an endless pagination linked from a listing cannot trap the crawl."""
    path = next(p for p in site.pages if p.startswith("/category/"))
    html = site.pages[path].render(ORIGIN)
    spider = make_spider()
    output = list(spider.parse(respond(ORIGIN + path, html, {"link_role": "listing"})))
    assert [type(o) for o in output] == [Fetch]
    assert spider.crawler.stats.get_value("listing/not_expanded") == 1


def test_feed_and_other_non_html_responses_yield_nothing(site: Site) -> None:
    feed = XmlResponse(f"{ORIGIN}/feed/", body=site.pages["/feed/"].render(ORIGIN),
                       request=Request(f"{ORIGIN}/feed/"))
    output = list(make_spider().parse(feed))
    assert [type(o) for o in output] == [Fetch]  # recorded, but no item and no request
    assert output[0]["final_url"] == f"{ORIGIN}/feed/" and output[0]["body"]


# --- what the spider follows --------------------------------------------------------------

SLUG = "%D8%A8%D9%84%D8%AF%D9%8A%D8%A9"


@pytest.mark.parametrize(("url", "follows"), [
    (f"{ORIGIN}/2017/09/12/{SLUG}/", True),
    (f"{ORIGIN}/2017/09/12/{SLUG}", True),
    (f"{ORIGIN}/?p=5", True),
    (f"{ORIGIN}/author/layla-mansour/", False),
    (f"{ORIGIN}/category/{SLUG}/", False),
    (f"{ORIGIN}/tag/{SLUG}/", False),
    (f"{ORIGIN}/feed/", False),
    (f"{ORIGIN}/2017/09/12/{SLUG}/feed/", False),
    (f"{ORIGIN}/comments/feed/", False),
    (f"{ORIGIN}/wp-login.php", False),
    (f"{ORIGIN}/wp-login.php?redirect_to=x", False),
    (f"{ORIGIN}/wp-comments-post.php", False),
    (f"{ORIGIN}/2017/09/12/{SLUG}/?replytocom=7", False),
    (f"{ORIGIN}/?p=5&replytocom=7", False),
    (f"{ORIGIN}/?s={SLUG}", False),
    (f"{ORIGIN}/page/2/", False),
    (f"{ORIGIN}/wp-content/uploads/2017/09/a.jpg", False),
    # janoubia's article_path: a date and one slug, nothing else
    (f"{ORIGIN}/2017/09/12/", False),
    (f"{ORIGIN}/2017/09/", False),
    (f"{ORIGIN}/2017/09/12/{SLUG}/extra/", False),
    (f"{ORIGIN}/about-us/", False),
    # off-site, another port; the profile's own host in either www form
    (f"https://facebook.com/2017/09/12/{SLUG}/", False),
    ("http://127.0.0.1:9000/2017/09/12/x/", False),
    (f"https://janoubia.com/2017/09/12/{SLUG}/", True),
    (f"https://www.janoubia.com/2017/09/12/{SLUG}/", True),
    (f"http://www.janoubia.com/2017/09/12/{SLUG}/", True),
    (f"https://sub.janoubia.com/2017/09/12/{SLUG}/", False),
])
def test_follows_on_janoubia_profile(url: str, follows: bool) -> None:
    assert make_spider().follows(url) is follows


@pytest.mark.parametrize(("url", "excluded"), [
    (f"{NEWS}/author/rima/", True),
    (f"{NEWS}/category/local/", True),
    (f"{NEWS}/category/local/page/3/", True),
    (f"{NEWS}/tag/beach/", True),
    (f"{NEWS}/feed/", True),
    (f"{NEWS}/wp-login.php", True),
    (f"{NEWS}/wp-json/wp/v2/posts/42", True),
    (f"{NEWS}/xmlrpc.php", True),
    (f"{NEWS}/2024/08/15/x/?replytocom=7", True),
    (f"{NEWS}/2024/08/15/x/?amp=1", True),
    (f"{NEWS}/2024/08/15/x/", False),
    (f"{NEWS}/2024/08/15/%D8%A7%D9%84%D9%83%D8%A7%D8%AA%D8%A8/", False),  # slug "الكاتب"
    (f"{NEWS}/2024/08/15/authority-report/", False),
    (f"{NEWS}/?p=42", False),
])
def test_is_excluded_generic_wordpress(url: str, excluded: bool) -> None:
    assert make_spider("wordpress", f"{NEWS}/").is_excluded(url) is excluded


@pytest.mark.parametrize(("url", "follows"), [
    (f"{NEWS}/2024/08/15/x/", True),
    ("https://www.news.example/2024/08/15/x/", True),
    ("http://news.example/2024/08/15/x/", True),
    (f"{NEWS}/some-page/", True),  # no article_path: the page's markup decides
    ("https://news.example.org/2024/08/15/x/", False),
    ("https://twitter.com/intent/tweet?url=https://news.example/2024/08/15/x/", False),
    (f"{NEWS}/tag/beach/", False),
])
def test_follows_generic_wordpress(url: str, follows: bool) -> None:
    assert make_spider("wordpress", f"{NEWS}/").follows(url) is follows


def test_www_variant_is_canonicalised_to_the_start_form() -> None:
    spider = make_spider("wordpress", f"{NEWS}/")
    assert spider.canonical("http://WWW.news.example/2024/08/15/%d8%a7?fbclid=1") == (
        f"{NEWS}/2024/08/15/%D8%A7/")
    assert make_spider().canonical("http://www.janoubia.com/2017/09/12/x") == (
        "https://janoubia.com/2017/09/12/x/")


def test_janoubia_profile_judges_articles_by_path(site: Site) -> None:
    spider = make_spider()
    article = article_response(site, 3)
    root = article.selector.root
    assert spider.is_article(root, article.url)
    # The same article markup at a path that is no permalink is not an article...
    assert not spider.is_article(root, f"{ORIGIN}/about-us/")
    assert not spider.is_article(root, f"{ORIGIN}/category/x/")
    # ...while the generic profile judges the markup.
    assert make_spider("wordpress").is_article(root, f"{ORIGIN}/about-us/")
    home = respond(f"{ORIGIN}/", site.pages["/"].render(ORIGIN))
    assert not make_spider("wordpress").is_article(home.selector.root, home.url)


# --- arguments and settings ---------------------------------------------------------------

VISIBLE_DATE_PAGE = (
    '<html lang="ar"><head><meta property="og:type" content="article"></head>'
    '<body class="single"><article><h1 class="entry-title">عنوان</h1>'
    '<span class="posted-on"><time class="entry-date">12 أيلول 2017 - 10:05</time></span>'
    '<div class="entry-content"><p>نص المقال.</p></div></article></body></html>'
).encode()


@pytest.mark.parametrize(("settings", "zone", "published"), [
    ({}, "Asia/Beirut", "2017-09-12T10:05:00+03:00"),
    ({"SITE_TIMEZONE": "Africa/Cairo"}, "Africa/Cairo", "2017-09-12T10:05:00+02:00"),
    ({"SITE_TIMEZONE": "UTC"}, "UTC", "2017-09-12T10:05:00+00:00"),
])
def test_site_timezone_setting_overrides_the_profile(settings: dict, zone: str,
                                                      published: str) -> None:
    spider = make_spider(start_urls=None, settings=settings)
    assert spider.timezone == zone
    url = "https://janoubia.com/2017/09/12/x/"
    item = next(iter(spider.parse(respond(url, VISIBLE_DATE_PAGE))))
    assert item["published"] == published
    assert item["published_raw"] == "12 أيلول 2017 - 10:05"


def test_site_timezone_setting_skips_learning_the_zone() -> None:
    spider = make_spider("wordpress", f"{NEWS}/", settings={"SITE_TIMEZONE": "Asia/Amman"})
    assert spider.timezone == "Asia/Amman"
    assert [r.meta["link_role"] for r in asyncio.run(collect(spider))] == ["start"]


REST_INDEX = b'{"name": "x", "timezone_string": "Asia/Beirut", "gmt_offset": 3}'


@pytest.mark.parametrize(("body", "zone"), [
    (REST_INDEX, "Asia/Beirut"),
    (b'{"timezone_string": "", "gmt_offset": "2"}', "Etc/GMT-2"),
    (b"<html>not json</html>", ""),  # unknown: dates keep the offset the page gives
])
def test_generic_profile_learns_the_zone_from_the_rest_index(body: bytes, zone: str) -> None:
    spider = make_spider("wordpress", f"{NEWS}/,https://b.example/")
    assert spider.timezone is None
    requests = asyncio.run(collect(spider))
    assert [(r.url, r.meta["link_role"]) for r in requests] == [
        (f"{NEWS}/wp-json/", "site_index")]
    index = TextResponse(requests[0].url, body=body, request=requests[0])
    starts = list(requests[0].callback(index))
    assert spider.timezone == zone
    assert [(r.url, r.meta["link_role"]) for r in starts] == [
        (f"{NEWS}/", "start"), ("https://b.example/", "start")]


def test_no_rest_index_keeps_the_offsets_pages_give() -> None:
    spider = make_spider("wordpress", f"{NEWS}/")
    request = asyncio.run(collect(spider))[0]
    starts = list(request.errback(Failure(ConnectionRefusedError("refused"))))
    assert spider.timezone == ""
    assert [r.url for r in starts] == [f"{NEWS}/"]
    page = ('<html><body class="single"><article><h1 class="entry-title">ع</h1>'
            '<time class="entry-date published" datetime="2024-05-01T10:00:00+03:00">1 أيار'
            '</time><div class="entry-content"><p>نص المقال هنا.</p></div></article>'
            '</body></html>').encode()
    item = next(iter(spider.parse(respond(f"{NEWS}/2024/05/01/x/", page))))
    assert item["published"] == "2024-05-01T10:00:00+03:00"  # not turned into UTC


@pytest.mark.parametrize("start_urls", [
    "https://a.example/,https://www.b.example/x/",
    " https://a.example/ , https://www.b.example/x/ ",
    "https://a.example/ https://www.b.example/x/",
    ["https://a.example/", "https://www.b.example/x/"],
    ("https://a.example/", "", "https://www.b.example/x/"),
])
def test_start_urls_as_string_or_list(start_urls: Any) -> None:
    spider = make_spider("wordpress", start_urls, settings={"SITE_TIMEZONE": "UTC"})
    assert spider.start_urls == ["https://a.example/", "https://www.b.example/x/"]
    assert spider.allowed_domains == ["a.example", "b.example"]
    assert spider.canonical("http://b.example/y") == "https://www.b.example/y/"
    requests = asyncio.run(collect(spider))
    assert [(r.url, r.meta["link_role"]) for r in requests] == [
        ("https://a.example/", "start"), ("https://www.b.example/x/", "start")]


async def collect(spider: ArticleSpider) -> list[scrapy.Request]:
    return [request async for request in spider.start()]


def test_profile_start_urls_when_none_given() -> None:
    spider = make_spider(start_urls=None)
    assert spider.start_urls == ["https://janoubia.com/"]
    assert spider.allowed_domains == ["janoubia.com"]
    named = make_spider(profile="", start_urls=None, cls=JanoubiaSpider)
    assert (named.name, named.profile.name, named.start_urls) == (
        "janoubia", "janoubia", ["https://janoubia.com/"])


def test_start_host_keeps_the_profile_scheme_for_the_profile_host() -> None:
    spider = make_spider(start_urls="http://www.janoubia.com/")
    assert spider.canonical("http://janoubia.com/2017/09/12/x/") == (
        "https://janoubia.com/2017/09/12/x/")


@pytest.mark.parametrize("start_urls", [
    "janoubia.com", "/2017/09/12/x/", "ftp://janoubia.com/", "http://",
    "https://ok.example/,mailto:a@ok.example", ["https://ok.example/", "ok.example/x"],
])
def test_malformed_start_url_is_refused(start_urls: Any) -> None:
    # Refused when the crawl starts (one ERROR line and finish reason bad_start_url),
    # not raised here, where Scrapy would print a traceback.
    spider = make_spider("wordpress", start_urls)
    [(reason, why)] = spider.refusals
    assert reason == "bad_start_url" and "not an absolute http(s) URL" in why
    with pytest.raises(BadStartURL):
        split_urls(start_urls)


def test_unknown_profile_is_refused() -> None:
    spider = make_spider("no-such-site")
    [(reason, why)] = spider.refusals
    assert reason == "bad_argument" and "janoubia" in why
    with pytest.raises(UnknownProfile, match="janoubia"):
        get_profile("no-such-site")


# --- project settings and the User-Agent middleware ---------------------------------------


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def test_user_agent_names_the_project_and_the_contact() -> None:
    contact = "mailto:archive@example.org"
    crawler = get_crawler(settings_dict={"USER_AGENT": project_settings()["USER_AGENT"],
                                         "CRAWLER_CONTACT": contact})
    middleware = ContactUserAgentMiddleware.from_crawler(crawler)
    request = Request(f"{NEWS}/")
    assert middleware.process_request(request) is None
    agent = request.headers[b"User-Agent"].decode()
    assert "arabic-news-crawler" in agent
    assert contact in agent
    assert "{contact}" not in agent


def test_user_agent_middleware_keeps_a_request_own_agent() -> None:
    crawler = get_crawler(settings_dict={"USER_AGENT": "bot (+{contact})",
                                         "CRAWLER_CONTACT": "https://example.org/about"})
    middleware = ContactUserAgentMiddleware.from_crawler(crawler)
    request = Request(f"{NEWS}/", headers={"User-Agent": "custom"})
    middleware.process_request(request)
    assert request.headers[b"User-Agent"] == b"custom"
    plain = Request(f"{NEWS}/")
    middleware.process_request(plain)
    assert plain.headers[b"User-Agent"] == b"bot (+https://example.org/about)"


def test_project_settings_are_polite_and_safe() -> None:
    settings = project_settings()
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert 1 <= settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 8
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getfloat("DOWNLOAD_DELAY") > 0
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.useragent.UserAgentMiddleware"] is None
    assert middlewares["crawler.middlewares.ContactUserAgentMiddleware"] is not None
    assert settings["SPIDER_MODULES"] == ["spiders"]


def test_spider_built_on_project_settings_reads_them() -> None:
    settings = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    crawler = get_crawler(ArticleSpider, settings_dict=settings)
    spider = ArticleSpider.from_crawler(crawler, profile="janoubia")
    assert spider.crawler.settings.getbool("ROBOTSTXT_OBEY") is True
    assert spider.timezone == "Asia/Beirut"  # SITE_TIMEZONE = None leaves the profile's


def test_sitemaps_lead_to_new_posts_and_to_posts_changed_since_our_fetch(site: Site) -> None:
    spider = make_spider(settings={"DISCOVERY_SITEMAPS": True})
    starts = asyncio.run(collect(spider))
    assert [(r.url, r.meta["link_role"]) for r in starts][-1] == (
        f"{ORIGIN}/wp-sitemap.xml", "sitemap")
    index = site.pages["/wp-sitemap.xml"].render(ORIGIN)
    children = only_requests(starts[-1].callback(
        XmlResponse(starts[-1].url, body=index, request=starts[-1])))
    # posts only: the category and user sitemaps are passed over
    assert [r.url for r in children] == [f"{ORIGIN}/wp-sitemap-posts-post-1.xml"]
    posts = site.pages["/wp-sitemap-posts-post-1.xml"].render(ORIGIN)
    requests = only_requests(children[0].callback(
        XmlResponse(children[0].url, body=posts, request=children[0])))
    assert {r.url for r in requests} == {ORIGIN + site.article_paths[i]
                                         for i in range(len(site.article_paths))}
    assert {r.meta["link_role"] for r in requests} == {"sitemap"}


def redirect(url: str, location: str, meta: dict) -> TextResponse:
    request = Request(url, meta=meta)
    return TextResponse(url, status=301, headers={"Location": location}, body=b"",
                        request=request)


def test_a_shortlink_redirect_to_an_article_asked_for_is_an_alias_not_a_fetch(site: Site):
    spider = make_spider()
    article = site.article_url(3, ORIGIN)
    assert spider.make_request(article, "sitemap", None) is not None
    shortlink = f"{ORIGIN}/?p=3"
    output = list(spider.parse(redirect(shortlink, article, {"link_role": "read_also",
                                                             "link_src": ORIGIN + "/a/"})))
    assert len(output) == 1 and isinstance(output[0], Fetch)
    assert output[0]["status"] == 301 and output[0]["requested_url"] == shortlink
    assert output[0]["alias_of"] == {"url": shortlink, "article_url": article}


def test_a_shortlink_redirect_to_an_article_not_asked_for_fetches_it(site: Site):
    spider = make_spider()
    article = site.article_url(4, ORIGIN)
    shortlink = f"{ORIGIN}/?p=4"
    output = list(spider.parse(redirect(shortlink, article, {"link_role": "read_also",
                                                             "link_src": ORIGIN + "/a/"})))
    assert len(output) == 1 and isinstance(output[0], Request)
    request = output[0]
    assert request.url == article and request.meta["link_role"] == "read_also"
    assert request.meta["redirected_from"] == [shortlink]
    # Its page then records the shortlink as a redirect alias, and its fetch as asked for.
    page = HtmlResponse(article, body=site.pages[site.article_paths[3]].render(ORIGIN),
                        request=request)
    item = next(o for o in spider.parse(page) if isinstance(o, Article))
    assert {"url": shortlink, "reason": "redirect"} in item["aliases"]
    assert item["fetch"]["requested_url"] == shortlink


def test_shortlinks_held_are_asked_for_when_the_crawl_is_idle_unless_read_since(site: Site):
    spider = make_spider()
    assert spider.make_request(f"{ORIGIN}/?p=5", "read_also", ORIGIN + "/a/") is None
    assert spider.make_request(f"{ORIGIN}/?p=6", "read_also", ORIGIN + "/a/") is None
    spider.shortlinks.learn(f"{ORIGIN}/?p=5", site.article_url(5, ORIGIN))
    released = spider.shortlinks.release()
    assert [url for url, *_ in released] == [f"{ORIGIN}/?p=6"]
    assert spider.shortlinks.release() == []  # released once
    # A link found on a prev/next role is asked for at once.
    assert spider.make_request(f"{ORIGIN}/?p=7", "next", ORIGIN + "/a/") is not None

