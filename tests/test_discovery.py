"""Discovery: the spider reads robots.txt, sitemaps, feeds and archives besides the
prev/next chain.  Component tests feed the spider real-shaped pages; crawl tests run
the real command line against the sample site: the corpus equals the chain-only
crawl's and the truth, many requests are in flight, traps and caps hold."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
import scrapy
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from twisted.python.failure import Failure

from crawler.items import Fetch
from crawler.memory import CrawlMemory
from crawler.samplesite import Faults, generate, serve
from crawler.samplesite.words import CATEGORIES
from crawler.storage import Corpus
from spiders.article import ArticleSpider
from tests.conftest import LOOPBACK, STANDALONE_SPIDER, project_crawler, query, run_cli
from tests.conftest import stored_articles as stored

FIXTURES = Path(__file__).parent / "fixtures"
NEWS = "https://news.example"
TOBACCO = (f"{NEWS}/2025/01/14/%D8%AD%D9%85%D9%84%D8%A9-%D8%AF%D8%B9%D9%85-"
           "%D9%85%D8%B2%D8%A7%D8%B1%D8%B9%D9%8A-%D8%A7%D9%84%D8%AA%D8%A8%D8%BA/")
TYRE = f"{NEWS}/2025/01/13/%D8%A8%D9%84%D8%AF%D9%8A%D8%A9-%D8%B5%D9%88%D8%B1/"
ELECTIONS = f"{NEWS}/category/%D8%A7%D9%86%D8%AA%D8%AE%D8%A7%D8%A8%D8%A7%D8%AA/"
OFF = ("-s", "DISCOVERY_SITEMAPS=0", "-s", "DISCOVERY_FEEDS=0", "-s", "DISCOVERY_ARCHIVES=0")
DISCOVERY_ROLES = {"sitemap", "feed", "archive"}


def fixture(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


def make_spider(settings: dict | None = None, corpus: Corpus | None = None) -> ArticleSpider:
    """The generic WordPress spider on news.example, every discovery source on."""
    crawler = project_crawler(ArticleSpider, {"SITE_TIMEZONE": "UTC", **STANDALONE_SPIDER,
                                             **(settings or {})})
    spider = ArticleSpider.from_crawler(crawler, profile="wordpress", start_urls=f"{NEWS}/")
    spider.memory = CrawlMemory(corpus)
    return spider


def requests_of(output: Any) -> list[scrapy.Request]:
    """The requests among a callback's output (items and Fetch records left out)."""
    return [o for o in output if isinstance(o, scrapy.Request)]


def answer(request: scrapy.Request, body: bytes, cls: type = XmlResponse,
           status: int = 200) -> Any:
    """The response to *request* with *body*."""
    return cls(request.url, body=body, request=request, status=status, encoding="utf-8")


def roles(requests: list[scrapy.Request]) -> list[tuple[str, str]]:
    return [(r.url, r.meta["link_role"]) for r in requests]


# -- the spider's discovery requests and callbacks --------------------------------------


def test_a_crawl_starts_with_robots_sitemap_index_and_feed():
    spider = make_spider()
    starts = asyncio.run(collect(spider))
    assert roles(starts) == [(f"{NEWS}/", "start"), (f"{NEWS}/robots.txt", "robots"),
                             (f"{NEWS}/wp-sitemap.xml", "sitemap"), (f"{NEWS}/feed/", "feed")]
    assert [r.callback for r in starts[1:]] == [spider.parse_robots, spider.parse_sitemap,
                                                spider.parse_feed]


@pytest.mark.parametrize(("switch", "gone"), [
    ("DISCOVERY_SITEMAPS", {"robots", "sitemap"}), ("DISCOVERY_FEEDS", {"feed"})])
def test_each_source_has_its_switch(switch: str, gone: set[str]):
    starts = asyncio.run(collect(make_spider({switch: False})))
    assert {r.meta["link_role"] for r in starts} == {"start", "robots", "sitemap", "feed"} - gone


async def collect(spider: ArticleSpider) -> list[scrapy.Request]:
    return [request async for request in spider.start()]


def test_robots_txt_leads_to_the_sitemaps_of_this_site_only():
    spider = make_spider()
    robots = Request(f"{NEWS}/robots.txt", meta={"link_role": "robots"})
    requests = requests_of(spider.parse_robots(answer(robots, fixture("discovery", "robots.txt"),
                                                      TextResponse)))
    assert roles(requests) == [(f"{NEWS}/sitemap_index.xml", "sitemap"),
                               (f"{NEWS}/news-sitemap.xml", "sitemap")]
    assert {r.meta["link_src"] for r in requests} == {f"{NEWS}/robots.txt"}


def test_a_yoast_index_leads_to_its_post_sitemaps_a_few_levels_deep():
    spider = make_spider()
    index = Request(f"{NEWS}/sitemap_index.xml", meta={"link_role": "sitemap"})
    requests = requests_of(spider.parse_sitemap(answer(index, fixture(
        "discovery", "yoast_sitemap_index.xml"))))
    assert roles(requests) == [(f"{NEWS}/post-sitemap.xml", "sitemap"),
                               (f"{NEWS}/post-sitemap2.xml", "sitemap")]
    assert [r.meta["sitemap_depth"] for r in requests] == [1, 1]
    deep = Request(index.url, meta={"link_role": "sitemap", "sitemap_depth": 3})
    assert requests_of(spider.parse_sitemap(answer(deep, fixture(
        "discovery", "yoast_sitemap_index.xml")))) == []


def test_post_and_news_sitemaps_lead_to_articles_not_their_images():
    for name in ("yoast_post_sitemap.xml", "news_sitemap.xml"):
        spider = make_spider()
        asyncio.run(collect(spider))  # the home page, which Yoast lists first, is a start
        sitemap = Request(f"{NEWS}/{name}", meta={"link_role": "sitemap"})
        requests = requests_of(spider.parse_sitemap(answer(sitemap, fixture("discovery", name))))
        # canonical (upper-case hex), each once
        assert sorted(roles(requests)) == [(TYRE, "sitemap"), (TOBACCO, "sitemap")], name
        assert all(r.callback == spider.parse for r in requests)




def stored_article(url: str, fetched_at: str) -> dict[str, Any]:
    body = "نص المقال " * 20
    return {"url": url, "title": "عنوان", "body": body, "word_count": 40, "language": "ar",
            "content_hash": url, "status": 200, "profile": "wordpress", "fetched_at": fetched_at,
            "categories": [], "tags": [], "aliases": [], "links": []}


def test_a_feed_leads_to_new_articles_and_to_those_changed_since_our_fetch(corpus: Corpus):
    # Both articles known; the Atom feed says the tobacco one changed after our fetch.
    corpus.save([stored_article(TOBACCO, "2025-01-14T12:00:00+00:00"),
                 stored_article(TYRE, "2025-01-14T12:00:00+00:00")])
    spider = make_spider(corpus=corpus)
    feed = Request(f"{NEWS}/feed/atom/", meta={"link_role": "feed"})
    requests = requests_of(spider.parse_feed(answer(feed, fixture("discovery", "atom_feed.xml"))))
    assert roles(requests) == [(TOBACCO, "feed_changed")]
    # The RSS feed dates by publication only: nothing changed, nothing to fetch.
    rss = Request(f"{NEWS}/feed/", meta={"link_role": "feed"})
    assert requests_of(spider.parse_feed(answer(rss, fixture("discovery",
                                                             "wordpress_feed.xml")))) == []
    fresh = make_spider()
    assert roles(requests_of(fresh.parse_feed(answer(rss, fixture(
        "discovery", "wordpress_feed.xml"))))) == [(TOBACCO, "feed"), (TYRE, "feed")]


def test_a_feed_fetched_before_is_asked_for_conditionally_and_a_304_leads_nowhere(
        corpus: Corpus):
    corpus.save([{"requested_url": f"{NEWS}/feed/", "final_url": f"{NEWS}/feed/",
                  "status": 200, "etag": '"abc"', "fetched_at": "2025-01-14T12:00:00+00:00"}])
    spider = make_spider(corpus=corpus)
    feed = next(r for r in asyncio.run(collect(spider)) if r.meta["link_role"] == "feed")
    assert feed.headers[b"If-None-Match"] == b'"abc"'
    assert feed.meta["handle_httpstatus_list"] == [304]
    output = list(spider.parse_feed(answer(feed, b"", status=304)))
    assert [type(o) for o in output] == [Fetch]
    assert spider.crawler.stats.get_value("fetch/not_modified") == 1


def test_a_start_page_names_its_feed_and_links_its_archives():
    spider = make_spider({"DISCOVERY_SITEMAPS": False})  # no sitemaps: archives go at once
    home = Request(f"{NEWS}/", meta={"link_role": "start"})
    page = generate(60, seed=4).pages["/"].render(NEWS)
    requests = requests_of(spider.parse(answer(home, page, HtmlResponse)))
    found = [(r.url, r.meta["link_role"]) for r in requests
             if r.meta["link_role"] in ("feed", "archive")]
    assert found == [(f"{NEWS}/feed/", "feed")] + [
        (f"{NEWS}/category/{quote(c.replace(' ', '-'))}/", "archive") for c in CATEGORIES]
    archives = [r for r in requests if r.meta["link_role"] == "archive"]
    assert all(r.callback == spider.parse_archive and r.meta["archive_page"] == 1
               for r in archives)
    off = make_spider({"DISCOVERY_FEEDS": False, "DISCOVERY_ARCHIVES": False})
    assert {r.meta["link_role"] for r in requests_of(off.parse(answer(
        home, page, HtmlResponse)))} == {"listing"}
    # An article names feeds and links categories too: not followed from there.
    article = Request(f"{NEWS}/2025/05/24/x/", meta={"link_role": "prev"})
    again = requests_of(spider.parse(answer(article, fixture(
        "pages", "wp_twentytwentyone.html"), HtmlResponse)))
    assert again and not {r.meta["link_role"] for r in again} & {"feed", "archive"}


def category_page(spider: ArticleSpider, page: int) -> list[scrapy.Request]:
    request = Request(ELECTIONS, meta={"link_role": "archive", "archive_page": page})
    return requests_of(spider.parse_archive(answer(request, fixture(
        "pages", "wp_twentytwentyone_category.html"), HtmlResponse)))


def home_archives_held(spider: ArticleSpider) -> list[scrapy.Request]:
    """The requests of the sample home page, once the spider asked for its sitemaps."""
    assert spider.discovery_requests()  # robots.txt and the sitemap index: 2 open
    home = Request(f"{NEWS}/", meta={"link_role": "start"})
    page = generate(60, seed=4).pages["/"].render(NEWS)
    return requests_of(spider.parse(answer(home, page, HtmlResponse)))


def test_archives_wait_for_the_sitemaps_and_are_left_when_they_list_the_posts():
    spider = make_spider()
    requests = home_archives_held(spider)
    assert not [r for r in requests if r.meta["link_role"] == "archive"]
    assert len(spider.gate.waiting) == len(CATEGORIES)
    robots = Request(f"{NEWS}/robots.txt", meta={"link_role": "robots"})
    assert not [r for r in requests_of(spider.parse_robots(answer(
        robots, b"User-agent: *\nDisallow:\n", TextResponse))) if r.meta["link_role"] == "archive"]
    index = Request(f"{NEWS}/wp-sitemap.xml", meta={"link_role": "sitemap"})
    posts = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<url><loc>" + NEWS.encode() + b"/2025/05/24/x/</loc></url></urlset>")
    out = requests_of(spider.parse_sitemap(answer(index, posts)))
    assert [r.meta["link_role"] for r in out] == ["sitemap"]  # the post, no archive
    assert spider.gate.decided and not spider.gate.waiting
    assert spider.crawler.stats.get_value("discovery/archives_left") == len(CATEGORIES)


def test_archives_go_when_the_sitemaps_fail_or_list_no_post():
    spider = make_spider()
    home_archives_held(spider)
    robots = Request(f"{NEWS}/robots.txt", meta={"link_role": "robots"})
    failure = Failure(ValueError("404"))
    failure.request = robots  # type: ignore[attr-defined]
    assert spider.discovery_failed(failure) == []  # one sitemap request still open
    index = Request(f"{NEWS}/wp-sitemap.xml", meta={"link_role": "sitemap"})
    failure = Failure(ValueError("404"))
    failure.request = index  # type: ignore[attr-defined]
    released = spider.discovery_failed(failure)
    assert [(r.url, r.meta["link_role"]) for r in released] == [
        (f"{NEWS}/category/{quote(c.replace(' ', '-'))}/", "archive") for c in CATEGORIES]


def test_an_archive_page_leads_to_its_articles_and_its_next_page():
    spider = make_spider()
    requests = category_page(spider, 1)
    articles = [r for r in requests if r.callback == spider.parse]
    assert articles and {r.meta["link_role"] for r in articles} == {"archive"}
    assert all("/category/" not in r.url for r in articles)
    (following,) = [r for r in requests if r.callback == spider.parse_archive]
    assert (following.url, following.meta["archive_page"]) == (ELECTIONS + "page/2/", 2)
    # The same page again brings nothing new: the archive is left there.
    assert category_page(spider, 2) == []


def test_an_archive_is_paged_no_further_than_the_cap():
    spider = make_spider({"DISCOVERY_ARCHIVE_MAX_PAGES": 3})
    requests = category_page(spider, 3)
    assert requests and all(r.callback == spider.parse for r in requests)
    assert spider.crawler.stats.get_value("discovery/archive_capped") == 1


# -- crawls of the sample site through the command line ---------------------------------


def crawl(origin: str, db: Path, *extra: str) -> None:
    result = run_cli("crawl", "janoubia", origin + "/", "--db", str(db), *LOOPBACK, *extra)
    assert result.returncode == 0, result.stderr[-3000:]


def corpus_of(db: Path) -> dict[str, Any]:
    """Everything a crawl stored that is the corpus (not when or how it was fetched)."""
    fields = ("url", "title", "author", "published", "published_raw", "modified",
              "categories", "tags", "body", "language", "word_count", "content_hash",
              "status", "profile", "duplicate_of")
    articles = {url: {k: row.get(k) for k in fields} for url, row in stored(db).items()}
    return {"articles": articles,
            "links": sorted(query(db, "select src, dst, role, rule from links")),
            "aliases": sorted(query(db, "select url, article_url from aliases"))}


def in_flight(timeline: list[tuple[str, int, float]], latency: float) -> float:
    """Requests the server held at once, on average, from the first to the last."""
    times = [at for _, _, at in timeline]
    return len(times) * latency / (max(times) - min(times) + latency)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two crawls from the home page of a site answering after 0.1 s: every discovery
    source on, then the chain alone."""
    found: dict[str, Any] = {"latency": 0.1}
    with serve(generate(150, seed=2), latency=found["latency"]) as server:
        for name, extra in (("fanout", ()), ("chain", OFF)):
            db = tmp_path_factory.mktemp(name) / "corpus.db"
            before = len(server.timeline)
            crawl(server.origin, db, *extra)
            found[name] = {"db": db, "timeline": server.timeline[before:]}
        found["truth"] = server.truth
    return found


def test_fan_out_stores_the_same_corpus_as_the_chain_alone_and_both_the_truth(both):
    fanout, chain = corpus_of(both["fanout"]["db"]), corpus_of(both["chain"]["db"])
    assert fanout == chain
    truth = both["truth"]
    fields = ("title", "author", "published", "modified", "categories", "tags", "body",
              "language", "word_count")
    assert {url: {k: a[k] for k in fields} for url, a in fanout["articles"].items()} == {
        a["url"]: {k: a[k] for k in fields} for a in truth["articles"]}
    assert {(s, d, r) for s, d, r, _ in fanout["links"]} == {tuple(x) for x in truth["links"]}
    assert dict(fanout["aliases"]) == truth["aliases"]


def test_discovery_schedules_articles_before_the_chain_reaches_them(both):
    db = both["fanout"]["db"]
    articles = dict(query(db, "select f.final_url, f.link_role from fetches f "
                              "join articles a on a.url = f.final_url"))
    by_discovery = [url for url, role in articles.items() if role in DISCOVERY_ROLES]
    assert len(articles) == 150 and len(by_discovery) >= len(articles) // 2
    # Requests side by side: on average many held by the server at once (the per-host
    # concurrency is 16; one at a time along the chain would give 1).
    assert in_flight(both["fanout"]["timeline"], both["latency"]) >= 6


def test_the_chain_alone_asks_for_no_discovery_page(both):
    paths = [unquote(p) for p, _, _ in both["chain"]["timeline"]]
    assert not [p for p in paths if p.startswith(("/feed/", "/category/", "/news-sitemap",
                                                  "/wp-sitemap"))]
    assert paths.count("/robots.txt") == 1  # Scrapy's own, to obey it
    fanout = [unquote(p) for p, _, _ in both["fanout"]["timeline"]]
    for wanted in ("/robots.txt", "/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml",
                   "/news-sitemap.xml", "/feed/"):
        assert wanted in fanout
    # The sitemaps list every post: the archives, ten posts a page, are left unread.
    assert not [p for p in fanout if p.startswith("/category/")]


def test_category_pagination_that_never_ends_is_left_at_the_first_page_with_nothing_new(
        tmp_path: Path):
    site = generate(60, seed=4)
    db = tmp_path / "corpus.db"
    # Only the archives fan out: their pagination is walked until it brings nothing.
    with serve(site, faults=Faults(seed=11, trap=True)) as server:
        crawl(server.origin, db, "-s", "DISCOVERY_SITEMAPS=0", "-s", "DISCOVERY_FEEDS=0")
        timeline, truth = server.timeline, server.truth
    pages: dict[str, int] = {}
    for path in (unquote(p) for p, _, _ in timeline if unquote(p).startswith("/category/")):
        base = path.split("page/")[0]
        pages[base] = pages.get(base, 0) + 1
    real = {base: 1 + sum(1 for k in site.pages if unquote(k).startswith(base + "page/"))
            for base in pages}
    assert len(pages) == 8
    # Each category: its real pages at most, and one page of the endless part at most.
    assert all(pages[base] <= real[base] + 1 for base in pages), (pages, real)
    assert sum(pages.values()) > len(pages)  # paged beyond the first page
    assert not [p for p, _, _ in timeline if p.startswith(("/calendar/", "/page/"))]
    assert sorted(stored(db)) == sorted(a["url"] for a in truth["articles"])


def test_archives_capped_at_one_page_and_robots_disallowed_feeds_still_reach_everything(
        tmp_path: Path):
    site = generate(60, seed=4)
    db = tmp_path / "corpus.db"
    with serve(site, faults=Faults(seed=13, robots_disallow=("/feed/",))) as server:
        crawl(server.origin, db, "-s", "DISCOVERY_ARCHIVE_MAX_PAGES=1",
              "-s", "DISCOVERY_SITEMAPS=0")
        paths = [unquote(p) for p, _, _ in server.timeline]
        truth = server.truth
    assert "/feed/" not in paths  # robots.txt is obeyed for discovery pages too
    assert len([p for p in paths if p.startswith("/category/")]) == 8
    assert not [p for p in paths if "/page/" in p]
    assert sorted(stored(db)) == sorted(a["url"] for a in truth["articles"])
    forbidden = query(db, "select count(*) from fetches where link_role = 'feed'")[0][0]
    assert forbidden == 0


def test_a_scheduled_run_reads_one_unchanged_page_per_source(tmp_path: Path):
    """The second run of an unchanged site: feed and category pages answer 304, no
    archive is paged and no article is fetched from a sitemap, feed or archive.  (With
    sitemaps on, no category page is read at all: see the next test.)"""
    site = generate(60, seed=4)
    db = tmp_path / "corpus.db"
    with serve(site) as server:
        crawl(server.origin, db, "-s", "DISCOVERY_SITEMAPS=0")
        first = len(server.responses)
        assert first > 60
        crawl(server.origin, db, "-s", "DISCOVERY_SITEMAPS=0")
        second = [(unquote(p), s) for p, s in server.responses[first:]]
    discovery = [(p, s) for p, s in second if p.startswith(("/feed/", "/category/"))]
    assert len(discovery) == 9 and {s for _, s in discovery} == {304}
    roles_second = [role for (role,) in query(
        db, "select link_role from fetches where run_id = 2 and final_url in "
            "(select url from articles)")]
    assert not set(roles_second) & DISCOVERY_ROLES
    # Whole pages: the home page and robots.txt; everything else a 304.
    assert {p for p, s in second if s != 304} == {"/", "/robots.txt"}


def test_a_scheduled_run_with_sitemaps_reads_them_whole_and_no_archive(tmp_path: Path):
    site = generate(60, seed=4)
    db = tmp_path / "corpus.db"
    with serve(site) as server:
        crawl(server.origin, db)
        first = len(server.responses)
        crawl(server.origin, db)
        second = [(unquote(p), s) for p, s in server.responses[first:]]
    assert not [p for p, _ in server.responses if unquote(p).startswith("/category/")]
    assert [s for p, s in second if p == "/feed/"] == [304]
    # Sitemaps stay whole, so a post a killed run left unfetched is still listed.
    assert {p for p, s in second if s != 304} == {
        "/", "/robots.txt", "/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml",
        "/news-sitemap.xml"}


@pytest.mark.parametrize("setting", ["DISCOVERY_FEEDS=maybe", "DISCOVERY_ARCHIVES=2x",
                                     "DISCOVERY_ARCHIVE_MAX_PAGES=many",
                                     "DISCOVERY_ARCHIVE_MAX_PAGES=-1"])
def test_bad_discovery_settings_are_one_line_and_exit_2(tmp_path: Path, setting: str):
    result = run_cli("crawl", "janoubia", "http://127.0.0.1:9/", "--db",
                     str(tmp_path / "c.db"), "-s", setting)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert setting.split("=")[0] in result.stderr


def test_fetch_records_keep_the_discovery_pages_with_their_role(both):
    rows = query(both["fanout"]["db"], "select requested_url, link_role, link_src from fetches "
                                       "where link_role in ('robots', 'feed', 'archive', "
                                       "'sitemap') and final_url not in (select url from "
                                       "articles)")
    by_path = {unquote(url.split("/", 3)[3]): (role, src) for url, role, src in rows}
    origin = both["truth"]["articles"][0]["url"].split("/")[2]
    assert by_path["robots.txt"] == ("robots", None)
    assert by_path["news-sitemap.xml"] == ("sitemap", f"http://{origin}/robots.txt")
    assert by_path["feed/"][0] == "feed"
