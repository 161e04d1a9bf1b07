"""The sample site: determinism, truth that matches its own pages, days of publishing
and editing, the server's WordPress behaviour (conditional requests included), a site
replaced while served, and the command line."""

from __future__ import annotations

import doctest
import hashlib
import http.client
import importlib
import json
import random
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from lxml import etree
from parsel import Selector
from protego import Protego

from crawler.samplesite import PLACEHOLDER, Site, generate, serve
from crawler.samplesite.content import ambiguous, publication_time
from crawler.samplesite.graph import is_copied, is_off_chain
from crawler.samplesite.server import Router
from crawler.samplesite.words import CATEGORIES
from crawler.sitemaps import read as read_sitemap
from crawler.text import normalize_arabic

ROOT = Path(__file__).resolve().parents[1]
BEIRUT = ZoneInfo("Asia/Beirut")

CONTAINERS = {"core": ".entry-content", "tagdiv": ".td-post-content",
              "local": ".post-content", "jnews": ".content-inner"}
AUTHORS = {"core": ".byline .author a", "tagdiv": ".td-post-author-name a",
           "local": ".meta-author a", "jnews": ".jeg_meta_author a"}
BLOCKS = ".//*[self::p or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 " \
         "or self::li or self::blockquote]"
NOT_BODY = ("ancestor::*[self::figure or contains(@class, 'sharedaddy') "
            "or contains(@class, 'jp-relatedposts') or contains(@class, 'code-block')]")
READ_ALSO_KEYS = (normalize_arabic("إقرأ أيضا"), normalize_arabic("مقالات ذات صلة"))
MONTHS = {"كانون الثاني": 1, "كانون 2": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5,
          "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين 1": 10,
          "تشرين الثاني": 11, "تشرين 2": 11, "كانون الأول": 12, "كانون 1": 12}


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(200, seed=7)


@pytest.fixture(scope="module")
def server(site):
    with serve(site) as running:
        yield running


@pytest.fixture(scope="module")
def truth(site) -> dict:
    return site.truth


@pytest.fixture(scope="module")
def later() -> Site:
    """The same site fifteen articles later, on a day editors corrected six articles."""
    return generate(215, seed=7, edits=6)


@pytest.fixture(scope="module", params=["site", "later"])
def any_day(request) -> Site:
    """The first day's site, then the later one: both must match their truth."""
    return request.getfixturevalue(request.param)


# -- helpers: an independent reading of the pages ------------------------------------


def page_of(site: Site, url: str) -> Selector:
    key = url.removeprefix(PLACEHOLDER)
    return Selector(text=site.pages[key].body.decode("utf-8"))


def text_of(sel: Selector) -> str:
    return " ".join("".join(sel.xpath(".//text()").getall()).split())


def is_read_also(el: Selector) -> bool:
    """A read-also paragraph, heading or list item (by its label, as an editor wrote it)."""
    own = normalize_arabic(text_of(el))
    if own.startswith(READ_ALSO_KEYS):
        return True
    heading = el.xpath("parent::ul/preceding-sibling::*[1][self::h3]")
    return bool(heading) and normalize_arabic(text_of(heading[0])).startswith(READ_ALSO_KEYS)


def body_of(sel: Selector, theme: str) -> str:
    box = sel.css(CONTAINERS[theme])
    assert len(box) == 1
    paragraphs = []
    for el in box[0].xpath(BLOCKS):
        text = text_of(el)
        if text and not el.xpath(NOT_BODY) and not is_read_also(el):
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def published_of(sel: Selector, theme: str) -> str:
    if theme in ("core", "jnews"):
        return sel.css('meta[property="article:published_time"]::attr(content)').get()
    if theme == "tagdiv":
        return json.loads(sel.css('script[type="application/ld+json"]::text').get())[
            "datePublished"]
    return parse_local_date(sel.css("span.date::text").get())


def modified_of(sel: Selector, theme: str) -> str | None:
    if theme in ("core", "jnews"):
        return sel.css('meta[property="article:modified_time"]::attr(content)').get()
    if theme == "tagdiv":
        return json.loads(sel.css('script[type="application/ld+json"]::text').get()).get(
            "dateModified")
    return None


def parse_local_date(text: str) -> str:
    """``الثلاثاء 12 أيلول 2017 - 10:05`` (any digits) to ISO with Beirut's offset."""
    text = normalize_arabic(text)
    months = {normalize_arabic(k): v for k, v in MONTHS.items()}
    pattern = r"(\d+) (" + "|".join(map(re.escape, months)) + r") (\d{4}) - (\d\d):(\d\d)"
    day, month, year, hour, minute = re.search(pattern, text).groups()
    moment = datetime(int(year), months[month], int(day), int(hour), int(minute),
                      tzinfo=BEIRUT)
    return moment.isoformat(timespec="seconds")


def role_links(sel: Selector, theme: str) -> list[tuple[str, str]]:
    """(href, role) of the page's prev/next and read-also links."""
    found = []
    if theme == "core":
        found += [(h, "prev") for h in sel.css('a[rel="prev"]::attr(href)').getall()]
        found += [(h, "next") for h in sel.css('a[rel="next"]::attr(href)').getall()]
    elif theme == "tagdiv":
        found += [(h, "prev") for h in sel.css(".td-post-prev-post a::attr(href), "
                                                ".prev-post a::attr(href)").getall()]
        found += [(h, "next") for h in sel.css(".td-post-next-post a::attr(href), "
                                                ".next-post a::attr(href)").getall()]
    elif theme == "jnews":
        found += [(h, "prev") for h in sel.css(".jeg_prevnext_post a.prev-post::attr(href)")
                  .getall()]
        found += [(h, "next") for h in sel.css(".jeg_prevnext_post a.next-post::attr(href)")
                  .getall()]
    else:
        for a in sel.css(".post-nav a"):
            label = normalize_arabic(text_of(a))
            if "السابق" not in label and "التالي" not in label:
                label = normalize_arabic(text_of(a.xpath("..")[0]))
            found.append((a.attrib["href"], "prev" if "السابق" in label else "next"))
    box = sel.css(CONTAINERS[theme])[0]
    for el in box.xpath(".//p | .//li"):
        if is_read_also(el):
            found += [(h, "read_also") for h in el.css("a::attr(href)").getall()]
    return found


def resolve(router: Router, href: str, aliases: dict) -> tuple[str, int]:
    """Follow *href* on the site (redirects included) to its canonical article URL."""
    hops = 0
    answer = router.route(href.removeprefix(PLACEHOLDER).partition("#")[0])
    while answer.status == 301:
        hops += 1
        answer = router.route(answer.location.removeprefix(PLACEHOLDER))
    assert answer.status == 200, href
    canonical = Selector(text=answer.body.decode()).css('link[rel="canonical"]::attr(href)').get()
    return aliases.get(canonical, canonical), hops


# -- determinism and shape ---------------------------------------------------------------


def test_same_seed_gives_identical_site():
    one, two = generate(60, seed=3), generate(60, seed=3)
    assert one.pages.keys() == two.pages.keys()
    assert all(one.pages[k] == two.pages[k] for k in one.pages)
    assert json.dumps(one.truth) == json.dumps(two.truth)


def test_other_seed_gives_other_site():
    one, two = generate(60, seed=3), generate(60, seed=4)
    titles = [[a["title"] for a in site.truth["articles"]] for site in (one, two)]
    assert titles[0] != titles[1]


def test_site_does_not_depend_on_the_hash_seed():
    code = ("import hashlib, json; from crawler.samplesite import generate; s = generate(60, 9); "
            "h = hashlib.sha256(json.dumps(s.truth).encode()); "
            "[h.update(k.encode() + p.body) for k, p in sorted(s.pages.items())]; "
            "print(h.hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={"PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2")}
    assert len(digests) == 1 and len(digests.pop()) == 65


def test_rejects_empty_site():
    with pytest.raises(ValueError):
        generate(0)


def test_tiny_sites_still_work():
    for n in (1, 2, 5):
        small = generate(n, seed=1)
        assert len(small.truth["articles"]) == n
        assert small.middle_article("http://h") in {a["url"].replace(PLACEHOLDER, "http://h")
                                                    for a in small.truth["articles"]}


def test_truth_articles_are_well_formed(truth):
    articles = truth["articles"]
    assert len(articles) == 200
    for a in articles:
        assert a["url"].startswith(PLACEHOLDER + "/20")
        assert a["language"] == "ar"
        assert a["word_count"] == len(a["body"].split()) > 0
        assert datetime.fromisoformat(a["published"]).utcoffset() is not None
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00[+-]\d\d:\d\d", a["published"])
        assert 1 <= len(a["categories"]) <= 2 and len(a["tags"]) <= 4
        assert 3 <= len(a["body"].split("\n\n"))
    published = [datetime.fromisoformat(a["published"]) for a in articles]
    assert published == sorted(published)
    titles = [normalize_arabic(a["title"]) for a in articles]
    assert len(set(titles)) == len(titles)


def test_titles_carry_marks_that_normalisation_removes(truth):
    titles = " ".join(a["title"] for a in truth["articles"])
    assert "\u0640" in titles
    assert re.search("[\u064e-\u0651]", titles)
    assert re.search("[٠-٩]", titles)
    assert "«" in titles


def test_article_url_and_middle(site, truth):
    assert site.article_url(1, "http://o") == truth["articles"][0]["url"].replace(
        PLACEHOLDER, "http://o")
    assert site.article_url(200, PLACEHOLDER) == truth["articles"][-1]["url"]
    with pytest.raises(IndexError):
        site.article_url(201, "http://o")
    middle = site.middle_article(PLACEHOLDER)
    assert middle.removeprefix(PLACEHOLDER) == site.chain[len(site.chain) // 2]


def test_every_theme_has_a_fair_share():
    for n, seed in ((200, 7), (57, 2)):
        shares = Counter(generate(n, seed).themes)
        assert set(shares) == set(CONTAINERS)
        assert min(shares.values()) >= 0.2 * n


# -- truth matches the pages --------------------------------------------------------------


def test_truth_fields_match_each_page(any_day):
    site, truth = any_day, any_day.truth
    for i, article in enumerate(truth["articles"]):
        theme = site.themes[i]
        sel = page_of(site, article["url"])
        assert sel.css("html").attrib["lang"] == "ar" and sel.css("html").attrib["dir"] == "rtl"
        assert sel.css('link[rel="canonical"]::attr(href)').get() == article["url"]
        assert text_of(sel.css("h1")[0]) == article["title"]
        assert len(sel.css("h1")) == 1
        assert body_of(sel, theme) == article["body"], article["url"]
        assert published_of(sel, theme) == article["published"]
        assert modified_of(sel, theme) == article["modified"]
        assert text_of(sel.css(AUTHORS[theme])[0]) == article["author"]
        assert sel.css('a[rel="category tag"]::text').getall() == article["categories"]
        assert sel.css('a[rel="tag"]::text').getall() == article["tags"]


def test_comments_and_captions_stay_out_of_the_body(any_day):
    site, truth = any_day, any_day.truth
    commented = captioned = 0
    for article in truth["articles"]:
        sel = page_of(site, article["url"])
        for comment in sel.css(".comment-content p"):
            commented += 1
            assert text_of(comment) not in article["body"]
        for caption in sel.css("figcaption"):
            captioned += 1
            assert text_of(caption) not in article["body"]
    assert commented > 50 and captioned > 50


def test_local_theme_shows_only_a_visible_date(any_day):
    site, truth = any_day, any_day.truth
    for i, article in enumerate(truth["articles"]):
        if site.themes[i] == "local":
            sel = page_of(site, article["url"])
            assert not sel.css('meta[property^="article:"], script[type="application/ld+json"]')
            assert not sel.css("time[datetime]")
            assert article["modified"] is None


def test_truth_links_are_the_links_on_the_pages(any_day):
    site, truth = any_day, any_day.truth
    router = Router(site, PLACEHOLDER)
    found = set()
    for i, article in enumerate(truth["articles"]):
        for href, role in role_links(page_of(site, article["url"]), site.themes[i]):
            dst, _ = resolve(router, href, truth["aliases"])
            found.add((article["url"], dst, role))
    assert found == {tuple(link) for link in truth["links"]}
    assert len(truth["links"]) == len(found)


def test_chain_is_one_path_with_a_few_articles_off_it(any_day):
    site, truth = any_day, any_day.truth
    nxt = {src: dst for src, dst, role in truth["links"] if role == "next"}
    prv = {src: dst for src, dst, role in truth["links"] if role == "prev"}
    assert {v: k for k, v in nxt.items()} == prv
    urls = [a["url"] for a in truth["articles"]]
    walk = [urls[0]]
    while walk[-1] in nxt:
        walk.append(nxt[walk[-1]])
    assert walk[-1] == urls[-1] and urls[0] not in prv
    assert walk == [PLACEHOLDER + p for p in site.chain]
    off = set(urls) - set(walk)
    assert 5 <= len(off) <= 15
    incoming = {dst for src, dst, role in truth["links"] if role == "read_also" and src in walk}
    assert off <= incoming


def test_read_also_comes_in_every_shape_and_href_form(site, truth):
    html = "".join(p.body.decode() for k, p in site.pages.items() if k.startswith("/20"))
    for shape in ("<p>إقرأ أيضا: <a", "<p><strong>اقرأ أيضاً:</strong> <a", '">اقرأ ايضا: «'):
        assert shape in html
    assert "<h3>مقالات ذات صلة</h3>" in html or "<h3>إقرأ أيضاً</h3>" in html
    for form in ("?utm_source=facebook", "?fbclid=", "/#comments", '/?p=', 'href="http'):
        assert form in html
    with_links = {src for src, _, role in truth["links"] if role == "read_also"}
    assert 0.3 * 200 <= len(with_links) <= 0.5 * 200


def test_everything_is_reachable_from_the_middle_article(any_day):
    """Walk prev/next/read-also hrefs as served (variants, redirects, copies included)."""
    site, truth = any_day, any_day.truth
    router = Router(site, PLACEHOLDER)
    start = site.middle_article(PLACEHOLDER)
    seen, todo, copies_seen = {start}, deque([start]), set()
    while todo:
        url = todo.popleft()
        sel = page_of(site, url)
        theme = site.themes[site.article_paths.index(
            truth["aliases"].get(url, url).removeprefix(PLACEHOLDER))]
        for href, _ in role_links(sel, theme):
            answer = router.route(href.removeprefix(PLACEHOLDER).partition("#")[0])
            while answer.status == 301:
                answer = router.route(answer.location.removeprefix(PLACEHOLDER))
            page = Selector(text=answer.body.decode())
            landed = page.css('link[rel="canonical"]::attr(href)').get()
            if landed in truth["aliases"]:
                copies_seen.add(landed)
            if landed not in seen:
                seen.add(landed)
                todo.append(landed)
    assert {a["url"] for a in truth["articles"]} <= seen
    copies = {k for k, v in truth["aliases"].items() if "?p=" not in k}
    assert copies and copies <= copies_seen


def test_copies_are_identical_but_canonical_to_themselves(any_day):
    site, truth = any_day, any_day.truth
    copies = {k: v for k, v in truth["aliases"].items() if "?p=" not in k}
    assert 3 <= len(copies) <= 10
    by_url = {a["url"]: (i, a) for i, a in enumerate(truth["articles"])}
    for copy, original in copies.items():
        assert copy.endswith("-2/") and copy.removesuffix("-2/") + "/" == original
        i, article = by_url[original]
        sel = page_of(site, copy)
        assert sel.css('link[rel="canonical"]::attr(href)').get() == copy
        assert body_of(sel, site.themes[i]) == article["body"]
        assert text_of(sel.css("h1")[0]) == article["title"]
        assert not [r for _, r in role_links(sel, site.themes[i]) if r in ("prev", "next")]
        assert all(src != copy for src, _, _ in truth["links"])


def test_publication_times_follow_beirut_summer_time():
    rng = random.Random(0)
    times = [publication_time(rng, i) for i in range(1, 1400)]
    assert times == sorted(times)
    offsets = {t.isoformat()[-6:] for t in times}
    assert offsets == {"+02:00", "+03:00"}
    assert not any(ambiguous(t) for t in times)
    assert all(t.second == 0 for t in times)
    gaps = [(b - a).total_seconds() / 3600 for a, b in zip(times, times[1:], strict=False)]
    assert 6 <= sum(gaps) / len(gaps) <= 8


# -- days: publishing and editing -------------------------------------------------------

# What a page shows that changes every day without being article content.
DAY_PARTS = re.compile(r'<script id="wp-api-request-js-extra">.*?</script>'
                       r'|<div class="post-views".*?</div>'
                       r'|<section class="widget widget_recent_entries">.*?</section>', re.S)


DATE_ARCHIVE = re.compile(r"/\d{4}/\d\d/(\d\d/)?(page/\d+/)?")


def without_day(page: bytes) -> str:
    return DAY_PARTS.sub("", page.decode("utf-8"))


def links_from(truth: dict, sources: set[str]) -> set[tuple[str, str, str]]:
    return {tuple(link) for link in truth["links"] if link[0] in sources}


def neighbours(site: Site, url: str) -> dict[str, str]:
    """The article's prev/next links as its page prints them, resolved to canonical URLs."""
    router = Router(site, PLACEHOLDER)
    theme = site.themes[site.article_paths.index(url.removeprefix(PLACEHOLDER))]
    return {role: resolve(router, href, site.truth["aliases"])[0]
            for href, role in role_links(page_of(site, url), theme) if role in ("prev", "next")}


@pytest.mark.parametrize(("n", "k"), [(57, 7), (40, 1), (120, 33)])
def test_publishing_leaves_older_articles_as_they_were(n, k):
    before, after = generate(n, seed=4), generate(n + k, seed=4)
    assert after.truth["articles"][:n] == before.truth["articles"]
    assert after.article_paths[:n] == before.article_paths
    assert after.themes[:n] == before.themes
    old = {a["url"] for a in before.truth["articles"]}
    read_also = {link for link in links_from(after.truth, old) if link[2] == "read_also"}
    assert read_also == {link for link in links_from(before.truth, old) if link[2] == "read_also"}
    head = PLACEHOLDER + before.chain[-1]
    gained = links_from(after.truth, old) - links_from(before.truth, old)
    assert gained == {(head, PLACEHOLDER + after.chain[len(before.chain)], "next")}
    assert set(before.truth["aliases"].items()) <= set(after.truth["aliases"].items())
    # Article pages (date archives of the latest days list the newer articles too).
    for path in before.pages:
        if path.startswith("/20") and not DATE_ARCHIVE.fullmatch(path) \
                and path != before.chain[-1]:
            assert without_day(after.pages[path].body) == without_day(before.pages[path].body)


def test_read_also_links_only_point_to_older_articles(later):
    order = {a["url"]: i for i, a in enumerate(later.truth["articles"])}
    read_also = [(src, dst) for src, dst, role in later.truth["links"] if role == "read_also"]
    assert len(read_also) > 50
    assert all(order[dst] < order[src] for src, dst in read_also)


def test_the_previous_head_gains_its_next_link():
    before, after = generate(57, seed=4), generate(58, seed=4)
    head, new = PLACEHOLDER + before.chain[-1], PLACEHOLDER + after.chain[-1]
    assert new == after.article_url(58, PLACEHOLDER) and head != new
    assert "next" not in neighbours(before, head)
    assert neighbours(after, head) == {"prev": PLACEHOLDER + before.chain[-2], "next": new}
    assert neighbours(after, new) == {"prev": head}


def test_a_new_off_chain_article_is_on_the_ticker_until_the_next_one_links_to_it():
    n = next(i for i in range(2, 100) if is_off_chain(4, i))
    today, tomorrow = generate(n, seed=4), generate(n + 1, seed=4)
    newest = today.article_url(n, PLACEHOLDER)
    assert today.chain[-1] != today.article_paths[-1]
    home = page_of(today, PLACEHOLDER + "/")
    assert home.css(".breaking-news a::attr(href)").get().upper() == newest.upper()
    assert newest.upper() not in {h.upper() for h in home.css("h2.entry-title a::attr(href)")
                                  .getall()}
    nxt = tomorrow.article_url(n + 1, PLACEHOLDER)
    assert (nxt, newest, "read_also") in links_from(tomorrow.truth, {nxt})
    assert neighbours(tomorrow, PLACEHOLDER + today.chain[-1])["next"] == nxt
    assert neighbours(tomorrow, newest) == {}


def test_a_copy_appears_with_the_article_after_its_original():
    c = next(i for i in range(1, 100) if is_copied(4, i))
    today, tomorrow = generate(c, seed=4), generate(c + 1, seed=4)
    original = today.article_url(c, PLACEHOLDER)
    copy = original.removesuffix("/") + "-2/"
    assert copy not in today.truth["aliases"] and copy.removeprefix(PLACEHOLDER) not in today.pages
    assert tomorrow.truth["aliases"][copy] == original
    nxt = tomorrow.article_url(c + 1, PLACEHOLDER)
    router = Router(tomorrow, PLACEHOLDER)
    landed = {resolve(router, href, {})[0] for href, role in
              role_links(page_of(tomorrow, nxt), tomorrow.themes[c]) if role == "read_also"}
    assert copy in landed


@pytest.mark.parametrize("n", [*range(1, 45), 99, 250, 401, 1000])
def test_truth_properties_hold_for_any_size(n):
    site = generate(n, seed=11)
    truth = site.truth
    urls = [a["url"] for a in truth["articles"]]
    assert len(urls) == n and len(site.chain) <= n
    off = set(urls) - {PLACEHOLDER + p for p in site.chain}
    assert len(off) == sum(1 for i in range(1, n + 1) if is_off_chain(11, i))
    assert len(off) in (n // 20, n // 20 + 1)
    copies = [k for k in truth["aliases"] if "?p=" not in k]
    assert len(copies) in (round(n / 33) - 1, round(n / 33), round(n / 33) + 1)
    if n >= 15:
        assert min(Counter(site.themes).values()) >= 0.2 * n
    if n >= 100:
        with_links = {src for src, _, role in truth["links"] if role == "read_also"}
        assert 0.3 * n <= len(with_links) <= 0.5 * n
    # Walk the truth's links from the middle article, through copies to their originals.
    edges: dict[str, set[str]] = {}
    for src, dst, _ in truth["links"]:
        edges.setdefault(src, set()).add(dst)
    seen, todo = set(), [site.middle_article(PLACEHOLDER)]
    while todo:
        url = todo.pop()
        if url not in seen:
            seen.add(url)
            todo += edges.get(url, ())
    unreached = set(urls) - seen
    assert unreached == ({urls[-1]} if urls[-1] in off else set())
    assert n % 5 or not unreached


def test_edits_change_exactly_the_edited_articles():
    plain, edited = generate(90, seed=6), generate(90, seed=6, edits=4)
    urls = [a["url"] for a in plain.truth["articles"]]
    assert edited.truth["edited"] == urls[80:84]
    assert plain.truth["edited"] == []
    changed = set()
    for i, url in enumerate(urls):
        theme = plain.themes[i]
        a, b = page_of(plain, url), page_of(edited, url)
        if (text_of(a.css("h1")[0]), body_of(a, theme)) != (text_of(b.css("h1")[0]),
                                                             body_of(b, theme)):
            changed.add(url)
    assert changed == set(edited.truth["edited"])
    for old, new in zip(plain.truth["articles"], edited.truth["articles"], strict=True):
        same = ("url", "author", "published", "categories", "tags", "language")
        assert {f: old[f] for f in same} == {f: new[f] for f in same}
        if new["url"] not in changed:
            assert new == old
        elif new["modified"]:
            assert new["modified"] > max(old["modified"] or "", new["published"])
            assert new["body"] != old["body"]
        else:
            assert edited.themes[urls.index(new["url"])] == "local"


def test_edits_fix_titles_now_and_then_and_move_last_modified_on():
    plain = generate(90, seed=6)
    titles_fixed = 0
    for edit_seed in range(6):
        edited = generate(90, seed=6, edits=10, edit_seed=edit_seed)
        for url in edited.truth["edited"]:
            key = url.removeprefix(PLACEHOLDER)
            assert edited.pages[key].last_modified > plain.pages[key].last_modified
            titles_fixed += text_of(page_of(edited, url).css("h1")[0]) != \
                text_of(page_of(plain, url).css("h1")[0])
    assert 6 <= titles_fixed <= 40
    titles = [normalize_arabic(a["title"]) for a in edited.truth["articles"]]
    assert len(set(titles)) == len(titles)


def test_which_articles_are_edited_is_fixed_and_nested():
    edited = [generate(60, seed=2, edits=j).truth["edited"] for j in range(11)]
    assert all(edited[j] == edited[10][:j] for j in range(11))
    other = generate(60, seed=2, edits=3, edit_seed=9)
    assert other.truth["edited"] == edited[3]
    bodies = {a["url"]: a["body"] for a in generate(60, seed=2, edits=3).truth["articles"]}
    assert all(bodies[a["url"]] != a["body"] for a in other.truth["articles"]
               if a["url"] in edited[3])
    # A day that publishes k articles and edits j, k + j <= 10, edits only older ones.
    day_after = generate(67, seed=2, edits=3).truth["edited"]
    assert set(day_after) <= {a["url"] for a in generate(60, seed=2).truth["articles"]}


@pytest.mark.parametrize(("n", "edits"), [(60, 11), (60, -1), (5, 6)])
def test_rejects_impossible_edits(n, edits):
    with pytest.raises(ValueError, match="edits"):
        generate(n, seed=1, edits=edits)


def test_widget_noise_changes_daily_but_is_no_edit():
    before, after = generate(57, seed=4), generate(60, seed=4)
    for i in (3, 30, 56):
        url = before.article_url(i, PLACEHOLDER)
        pages = [site.pages[url.removeprefix(PLACEHOLDER)].body.decode() for site in
                 (before, after)]
        nonces = [re.search(r'"nonce":"(\w+)"', p)[1] for p in pages]
        views = [int(re.search(r'post-views-count">(\d+)<', p)[1]) for p in pages]
        counts = [int(re.search(r'comments-count">(\d+)<', p)[1]) for p in pages]
        assert nonces[0] != nonces[1] and views[0] < views[1] and counts[0] < counts[1]
        theme = before.themes[i - 1]
        read = [(text_of(sel.css("h1")[0]), body_of(sel, theme), published_of(sel, theme),
                 modified_of(sel, theme)) for sel in map(Selector, pages)]
        assert read[0] == read[1]
        assert before.truth["articles"][i - 1] == after.truth["articles"][i - 1]
        assert before.pages[url.removeprefix(PLACEHOLDER)].last_modified == \
            after.pages[url.removeprefix(PLACEHOLDER)].last_modified


def test_same_day_and_edits_give_identical_site():
    one, two = (generate(60, seed=3, edits=4, edit_seed=2) for _ in range(2))
    assert one.pages.keys() == two.pages.keys()
    assert all(one.pages[k] == two.pages[k] for k in one.pages)
    assert json.dumps(one.truth) == json.dumps(two.truth)


def test_samplesite_doctests():
    for name in ("archives", "conditional", "model", "pages", "server", "traps"):
        result = doctest.testmod(importlib.import_module(f"crawler.samplesite.{name}"))
        assert result.failed == 0 and result.attempted > 0, name


# -- the server ---------------------------------------------------------------------------


def get(origin: str, target: str, method: str = "GET",
        **headers: str) -> http.client.HTTPResponse:
    """One request on a connection of its own; header names with ``_`` for ``-``."""
    conn = http.client.HTTPConnection(urlsplit(origin).netloc, timeout=10)
    try:
        conn.request(method, target, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def raw_get(origin: str, target: bytes) -> tuple[int, bytes]:
    """GET with a raw (UTF-8) request target, which http.client refuses to send."""
    parts = urlsplit(origin)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: " + parts.netloc.encode()
                     + b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_served_pages_carry_the_real_origin(server):
    url = server.site.article_url(10, server.origin)
    response = get(server.origin, urlsplit(url).path)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=UTF-8"
    assert PLACEHOLDER.encode() not in response.body
    canonical = Selector(text=response.body.decode()).css('link[rel="canonical"]::attr(href)')
    assert canonical.get() == url
    assert server.truth["articles"][9]["url"] == url


def test_any_encoding_of_a_path_serves_the_same_page(server):
    for i in range(1, 31):
        path = urlsplit(server.site.article_url(i, server.origin)).path
        expected = get(server.origin, path).body
        assert "%D8" in path or "%D9" in path
        assert get(server.origin, path.lower()).body == expected
        assert raw_get(server.origin, unquote(path).encode("utf-8")) == (200, expected)
    for query in ("?utm_source=facebook&utm_medium=social", "?fbclid=IwAR123", "?replytocom=5"):
        response = get(server.origin, path + query)
        assert (response.status, response.body) == (200, expected)


def test_shortlinks_and_slashless_paths_redirect(server):
    url = server.site.article_url(33, server.origin)
    response = get(server.origin, "/?p=33")
    assert response.status == 301
    assert response.getheader("Location").lower() == url.lower()
    response = get(server.origin, urlsplit(url).path.rstrip("/") + "?utm_source=x")
    assert response.status == 301
    assert response.getheader("Location").lower() == url.lower() + "?utm_source=x"
    assert get(server.origin, "/feed").getheader("Location") == server.origin + "/feed/"
    assert get(server.origin, "/?p=999999").status == 404


def test_other_wordpress_pages(server, truth):
    robots = get(server.origin, "/robots.txt")
    assert robots.status == 200
    assert robots.body.startswith(b"User-agent: *\nDisallow: /wp-admin/\n")
    home = Selector(text=get(server.origin, "/").body.decode())
    listed = home.css("h2.entry-title a::attr(href)").getall()
    assert len(listed) == 10
    newest = server.site.chain[-1]
    assert listed[0].upper().endswith(newest.upper())
    feed = get(server.origin, "/feed/")
    assert feed.status == 200 and b"<rss" in feed.body
    category = home.css(".main-navigation a::attr(href)").get()
    assert get(server.origin, urlsplit(category).path).status == 200
    assert len(home.css("aside .widget_recent_entries a")) == 5
    assert get(server.origin, "/author/samer-halabi/").status == 200
    missing = get(server.origin, "/2017/01/01/no-such-post/")
    assert missing.status == 404 and b"error404" in missing.body
    assert get(server.origin, "/wp-admin/").status == 404
    assert get(server.origin, "/robots.txt", method="HEAD").body == b""


def test_every_alias_lands_on_its_article(server):
    truth = server.truth
    for alias, article in truth["aliases"].items():
        target = alias.removeprefix(server.origin)
        response = get(server.origin, target)
        if response.status == 301:
            target = urlsplit(response.getheader("Location")).path
            response = get(server.origin, target)
        assert response.status == 200
        canonical = Selector(text=response.body.decode()).css(
            'link[rel="canonical"]::attr(href)').get()
        assert canonical in (article, alias) or truth["aliases"].get(canonical) == article


def test_requests_are_counted(site):
    with serve(site) as running:
        get(running.origin, "/robots.txt")
        get(running.origin, "/nothing")
        assert running.requests == ["/robots.txt", "/nothing"]
    assert running.requests == ["/robots.txt", "/nothing"]


def test_server_answers_concurrent_clients(site):
    paths = [urlsplit(site.article_url(i, "http://h")).path for i in range(1, 41)]
    statuses: list[int] = []

    def client(offset: int) -> None:
        for path in paths[offset::8]:
            statuses.append(get(running.origin, path).status)

    with serve(site) as running:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert statuses == [200] * 40
        assert sorted(running.requests) == sorted(paths)


def test_server_stops_and_frees_its_port(site):
    running = serve(site)
    port = urlsplit(running.origin).port
    running.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


# -- conditional requests and a site that changes while served ----------------------------


def article_target(site: Site, theme: str) -> tuple[str, dict]:
    """Path and truth of the first article in *theme* that was updated after publication."""
    for i, article in enumerate(site.truth["articles"]):
        if site.themes[i] == theme and article["modified"]:
            return site.article_paths[i], article
    raise LookupError(theme)


def test_pages_carry_an_etag_and_last_modified(server):
    path, article = article_target(server.site, "core")
    response = get(server.origin, path)
    assert response.status == 200
    etag = response.getheader("ETag")
    assert etag == '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
    modified = datetime.fromisoformat(article["modified"])
    assert response.getheader("Last-Modified") == format_datetime(modified.astimezone(UTC),
                                                                  usegmt=True)
    assert get(server.origin, path).getheader("ETag") == etag


def test_if_none_match_answers_304_without_a_body(server):
    path, _ = article_target(server.site, "jnews")
    first = get(server.origin, path)
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")
    for header in (etag, "W/" + etag, '"nope", ' + etag, "*"):
        response = get(server.origin, path, If_None_Match=header)
        assert (response.status, response.body) == (304, b""), header
        assert response.getheader("ETag") == etag
        assert response.getheader("Last-Modified") == modified
    head = get(server.origin, path, "HEAD", If_None_Match=etag)
    assert head.status == 304
    other = get(server.origin, path, If_None_Match='"nope"')
    assert (other.status, other.body) == (200, first.body)


def test_if_modified_since_counts_only_without_if_none_match(server):
    path, _ = article_target(server.site, "tagdiv")
    first = get(server.origin, path)
    modified = parsedate_to_datetime(first.getheader("Last-Modified"))
    earlier = format_datetime(modified - timedelta(seconds=1), usegmt=True)
    later = format_datetime(modified + timedelta(days=400), usegmt=True)
    for since, status in ((first.getheader("Last-Modified"), 304), (later, 304),
                          (earlier, 200), ("not a date", 200)):
        assert get(server.origin, path, If_Modified_Since=since).status == status, since
    # If-None-Match takes precedence (RFC 9110, 13.2.2): a changed tag wins over a date.
    response = get(server.origin, path, If_None_Match='"old"', If_Modified_Since=later)
    assert response.status == 200 and response.body == first.body


def test_listings_last_changed_with_their_newest_article(server):
    truth = {a["url"]: a for a in server.truth["articles"]}
    home = get(server.origin, "/")
    listed = Selector(text=home.body.decode()).css(
        "h2.entry-title a::attr(href), .breaking-news a::attr(href)").getall()
    newest = max(datetime.fromisoformat(truth[lower_to_upper(h)]["modified"]
                                        or truth[lower_to_upper(h)]["published"])
                 for h in listed)
    assert parsedate_to_datetime(home.getheader("Last-Modified")) == newest
    assert get(server.origin, "/", If_None_Match=home.getheader("ETag")).status == 304
    assert get(server.origin, "/feed/").getheader("ETag")


def lower_to_upper(url: str) -> str:
    return re.sub(r"%[0-9a-f]{2}", lambda m: m.group().upper(), url)


def test_conditions_do_not_apply_to_redirects_and_missing_pages(server):
    missing = get(server.origin, "/2017/01/01/no-such-post/", If_None_Match="*")
    assert missing.status == 404 and missing.body and missing.getheader("ETag") is None
    moved = get(server.origin, "/?p=3", If_None_Match="*")
    assert moved.status == 301 and moved.getheader("ETag") is None


def test_304s_are_counted_with_the_other_requests(site):
    path = site.article_paths[4]
    with serve(site) as running:
        etag = get(running.origin, path).getheader("ETag")
        get(running.origin, path, If_None_Match=etag)
        get(running.origin, "/nothing")
        assert running.requests == [path, path, "/nothing"]
        assert running.responses == [(path, 200), (path, 304), ("/nothing", 404)]


def test_replace_site_moves_the_served_site_on_a_day():
    before, after = generate(57, seed=4), generate(64, seed=4, edits=3)
    new_path = after.article_paths[-1]
    head = before.chain[-1]
    with serve(before) as running:
        origin = running.origin
        old_head = get(origin, head)
        assert get(origin, new_path).status == 404
        running.replace_site(after)
        assert running.origin == origin and running.site is after
        assert running.truth == after.truth_for(origin)
        assert get(origin, new_path).status == 200
        page = get(origin, head, If_None_Match=old_head.getheader("ETag"))
        assert page.status == 200 and page.body == after.pages[head].render(origin)
        # An old article nobody edited: its body moved on (widgets), its date did not.
        old = before.article_paths[10]
        since = get(origin, old).getheader("Last-Modified")
        assert get(origin, old, If_Modified_Since=since).status == 304
        assert len(running.requests) == 6


def test_replace_site_is_atomic_for_concurrent_clients():
    days = [generate(30, seed=8), generate(31, seed=8)]
    answers: list[bytes] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            answers.append(get(running.origin, "/").body)

    with serve(days[0]) as running:
        homes = {day.pages["/"].render(running.origin) for day in days}
        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        for k in range(40):
            running.replace_site(days[(k + 1) % 2])
            time.sleep(0.005)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert len(answers) > 20 and set(answers) == homes


# -- the command line ---------------------------------------------------------------------


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "crawler.samplesite", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_prints_its_origin_writes_truth_and_exits_by_itself(tmp_path):
    truth_path = tmp_path / "truth.json"
    started = time.monotonic()
    proc = start_cli("--articles", "30", "--seed", "5", "--truth", str(truth_path),
                     "--max-seconds", "2")
    with proc:
        origin = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", origin)
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        assert len(truth["articles"]) == 30
        assert truth["articles"][0]["url"].startswith(origin + "/")
        assert truth == generate(30, 5).truth_for(origin)
        assert get(origin, "/robots.txt").status == 200
        assert proc.wait(timeout=20) == 0
        assert proc.stdout.read() == ""
    assert 1.5 <= time.monotonic() - started < 20


def test_cli_stops_on_sigterm():
    proc = start_cli("--articles", "10", "--max-seconds", "120")
    with proc:
        origin = proc.stdout.readline().strip()
        assert get(origin, "/").status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def read_origin(proc: subprocess.Popen, timeout: float = 30) -> str:
    """The origin line the site prints once listening, waited for at most *timeout*."""
    assert select.select([proc.stdout], [], [], timeout)[0], "the site printed no origin"
    origin = proc.stdout.readline().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", origin)
    return origin


def test_cli_says_it_stops_at_its_time_limit():
    proc = start_cli("--articles", "5", "--max-seconds", "1")
    try:
        read_origin(proc)
        assert proc.wait(timeout=30) == 0
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    assert err.count("\n") == 1
    assert err.startswith("sample site: stopping after 1 s (--max-seconds); ")
    assert "--max-seconds 0" in err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=lambda sig: sig.name)
def test_cli_without_a_time_limit_serves_until_a_signal_and_says_so(sig):
    proc = start_cli("--articles", "5", "--max-seconds", "0")
    try:
        origin = read_origin(proc)
        time.sleep(1.5)
        assert proc.poll() is None
        assert get(origin, "/").status == 200
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
        err = proc.stderr.read()
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    assert err == f"sample site: stopping on {sig.name}\n"


def test_cli_rejects_a_negative_time_limit():
    proc = subprocess.run([sys.executable, "-m", "crawler.samplesite", "--max-seconds", "-1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "--max-seconds" in proc.stderr


def test_cli_reports_a_busy_port_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        proc = start_cli("--articles", "5", "--port", str(busy.getsockname()[1]))
        with proc:
            assert proc.wait(timeout=20) == 1
            err = proc.stderr.read()
            assert err.startswith("cannot listen on 127.0.0.1:") and err.count("\n") == 1
            assert proc.stdout.read() == ""


def test_cli_rejects_bad_arguments():
    proc = start_cli("--articles", "0")
    with proc:
        assert proc.wait(timeout=20) == 2
        assert "--articles" in proc.stderr.read()


def test_cli_serves_a_day_with_edits(tmp_path):
    truth_path = tmp_path / "truth.json"
    proc = start_cli("--articles", "30", "--seed", "5", "--edits", "2", "--edit-seed", "1",
                     "--truth", str(truth_path), "--max-seconds", "30")
    with proc:
        origin = proc.stdout.readline().strip()
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        assert truth == generate(30, 5, edits=2, edit_seed=1).truth_for(origin)
        assert len(truth["edited"]) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_cli_rejects_impossible_edits():
    proc = start_cli("--articles", "30", "--edits", "11")
    with proc:
        assert proc.wait(timeout=20) == 2
        assert "edits" in proc.stderr.read()
        assert proc.stdout.read() == ""


# -- what a crawler enters the site through: robots.txt, sitemaps, feed, archives ---------


def test_robots_txt_names_the_sitemaps_and_keeps_wordpress_rules(server):
    robots = Protego.parse(get(server.origin, "/robots.txt").body.decode())
    assert list(robots.sitemaps) == [server.origin + "/wp-sitemap.xml",
                                     server.origin + "/news-sitemap.xml"]
    assert not robots.can_fetch(server.origin + "/wp-admin/", "bot")
    assert robots.can_fetch(server.origin + "/wp-admin/admin-ajax.php", "bot")
    assert robots.can_fetch(server.site.article_url(3, server.origin), "bot")
    for url in robots.sitemaps:
        assert get(server.origin, urlsplit(url).path).status == 200


def test_news_sitemap_lists_the_last_two_days_newest_first(server, truth):
    response = get(server.origin, "/news-sitemap.xml")
    assert response.getheader("Content-Type").startswith("application/xml")
    root = etree.fromstring(response.body)
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    listed = [(url.findtext("{*}loc"), url.findtext(f"{news}news/{news}publication_date"))
              for url in root.iter("{*}url")]
    newest = datetime.fromisoformat(truth["articles"][-1]["published"])
    recent = [(a["url"], a["published"]) for a in reversed(truth["articles"])
              if datetime.fromisoformat(a["published"]) >= newest - timedelta(days=2)]
    assert 3 <= len(recent) < len(truth["articles"])
    assert [(lower_to_upper(u).replace(server.origin, PLACEHOLDER), d) for u, d in listed] \
        == recent
    assert root.findtext(f"{{*}}url/{news}news/{news}publication/{news}language") == "ar"
    # The crawler's own reader takes the publication date as the lastmod.
    assert [(e.loc, e.lastmod) for e in read_sitemap(response.body)[1]] == listed


def test_feed_lists_the_ten_newest_posts_and_every_page_names_it(server, site, truth):
    feed = get(server.origin, "/feed/")
    assert feed.getheader("Content-Type").startswith("application/rss+xml")
    items = etree.fromstring(feed.body).findall("channel/item")
    newest = list(reversed(truth["articles"]))[:10]
    assert [lower_to_upper(i.findtext("link")) for i in items] == [
        a["url"].replace(PLACEHOLDER, server.origin) for a in newest]
    assert [parsedate_to_datetime(i.findtext("pubDate")) for i in items] == [
        datetime.fromisoformat(a["published"]) for a in newest]
    for path in ("/", site.article_paths[5], "/2017/01/", "/author/samer-halabi/"):
        head = Selector(text=get(server.origin, path).body.decode())
        assert head.css('link[rel="alternate"][type="application/rss+xml"]::attr(href)').get() \
            == server.origin + "/feed/"


def category_pages(origin: str, first: str) -> list[Selector]:
    """Every page of one category archive, following its "next" link to the end."""
    pages, target = [], first
    while target and len(pages) < 100:
        response = get(origin, target)
        assert response.status == 200, target
        pages.append(Selector(text=response.body.decode()))
        following = pages[-1].css(".nav-links a.next::attr(href)").get()
        assert pages[-1].css('link[rel="next"]::attr(href)').get() == following
        target = urlsplit(following).path if following else None
    return pages


def test_home_menu_links_every_category_archive(server):
    home = Selector(text=get(server.origin, "/").body.decode())
    menu = home.css(".main-navigation li.menu-item-object-category > a::attr(href)").getall()
    assert [unquote(urlsplit(h).path) for h in menu] == [
        f"/category/{c.replace(' ', '-')}/" for c in CATEGORIES]


def test_category_archives_page_through_every_post_newest_first(server, site, truth):
    posts = {a["url"]: a for a in truth["articles"]}
    home = Selector(text=get(server.origin, "/").body.decode())
    seen: Counter[str] = Counter()
    for href in home.css(".main-navigation a::attr(href)").getall():
        name = home.css(f'.main-navigation a[href="{href}"]::text').get()
        pages = category_pages(server.origin, urlsplit(href).path)
        listed = [lower_to_upper(h).replace(server.origin, PLACEHOLDER) for page in pages
                  for h in page.css("h2.entry-title a::attr(href)").getall()]
        assert all(len(p.css("h2.entry-title")) == 10 for p in pages[:-1])
        expected = [url for url in reversed(list(posts)) if name in posts[url]["categories"]]
        assert listed == expected, name
        seen.update(listed)
        assert "paged-2" in pages[1].css("body::attr(class)").get()
        beyond = urlsplit(href).path + f"page/{len(pages) + 1}/"
        assert get(server.origin, beyond).status == 404
    assert seen == {url: len(a["categories"]) for url, a in posts.items()}


def test_the_site_publishes_the_same_on_every_generation():
    one, two = generate(80, seed=9), generate(80, seed=9)
    for key in ("/robots.txt", "/feed/", "/news-sitemap.xml",
                "/category/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9/page/2/"):
        assert one.pages[key] == two.pages[key]
