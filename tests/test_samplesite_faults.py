"""The sample site's faults, each seen through a real HTTP client on loopback; their
determinism, retries that succeed, the truth under faults, and the date archives."""

from __future__ import annotations

import doctest
import http.client
import importlib
import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from parsel import Selector
from protego import Protego

from crawler.samplesite import Faults, Site, generate, serve
from crawler.samplesite.faults import TRANSIENT
from crawler.samplesite.model import PLACEHOLDER, wp_path
from crawler.samplesite.placement import place
from crawler.samplesite.traps import LOOP, LOOP_TITLE, OFFSITE_PATH, OFFSITE_TARGET
from crawler.samplesite.truth import truth_under

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = 250  # reaches March 2017 (one article about every seven hours from 1 January)
SEED = 5


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(ARTICLES, seed=SEED)


@pytest.fixture(scope="module")
def plain(site):
    with serve(site) as running:
        yield running


def fetch(origin: str, target: str, timeout: float = 5,
          method: str = "GET") -> tuple[int, http.client.HTTPResponse, bytes]:
    """Status, response and body of one request on a fresh connection."""
    conn = http.client.HTTPConnection(urlsplit(origin).netloc, timeout=timeout)
    try:
        conn.request(method, target)
        response = conn.getresponse()
        return response.status, response, response.read()
    finally:
        conn.close()


def outcome(origin: str, target: str, timeout: float = 5) -> str | int:
    """The status of a request, or the name of the error it ended in."""
    try:
        status, _, body = fetch(origin, target, timeout)
    except (OSError, http.client.HTTPException) as e:
        return type(e).__name__
    return status if status != 200 or body.rstrip().endswith(b"</html>") else "cut"


def paths_with(site: Site, faults: Faults, wanted: str, attempt: int = 0) -> list[str]:
    """Article paths whose attempt *attempt* the transient fault *wanted* hits."""
    return [p for p in site.article_paths if faults.transient(unquote(p), attempt) == wanted]


def text_of(html: str) -> list[str]:
    """The words of the page's main column and title, as a reader sees them."""
    sel = Selector(text=html)
    return " ".join(sel.css("main ::text, title::text").getall()).split()


# -- the Faults value --------------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    {"error_rate": 1.5}, {"error_rate": 0.6, "reset_rate": 0.6}, {"timeout_seconds": 11},
    {"slow_seconds": -1}, {"burst_every": 5, "burst_length": 5}, {"missing": {0}},
    {"cp1256_rate": 0.7, "wrong_charset_rate": 0.4}, {"robots_disallow": ("2017/",)},
])
def test_impossible_faults_are_refused(bad):
    with pytest.raises(ValueError):
        Faults(**bad)


def test_faults_are_off_by_default_and_change_nothing(site, plain):
    assert not Faults().active and Faults(trap=True).active
    assert truth_under(site, Faults(), plain.origin) == site.truth_for(plain.origin)
    with serve(site, faults=Faults(seed=3)) as running:
        for target in (site.article_paths[3], "/", "/robots.txt", "/feed/"):
            assert fetch(running.origin, target)[2] == fetch(plain.origin, target)[2].replace(
                plain.origin.encode(), running.origin.encode())


def test_a_missing_article_beyond_the_site_is_refused(site):
    with pytest.raises(ValueError, match="no article"):
        serve(site, faults=Faults(missing={ARTICLES + 1}))


def test_transient_faults_never_hit_a_third_attempt():
    faults = Faults(error_rate=0.3, throttle_rate=0.2, reset_rate=0.1, truncate_rate=0.2)
    for k in range(500):
        path = f"/2017/01/01/{k}/"
        assert faults.transient(path, 2) is None and faults.transient(path, 7) is None
        assert faults.transient(path, 1) != "throttle"
    drawn = {faults.transient(f"/x/{k}/", 0) for k in range(500)}
    assert drawn == {"error", "throttle", "reset", "truncate", None}


def test_fault_decisions_depend_on_the_seed_only():
    one, two, other = Faults(seed=1, error_rate=0.5), Faults(seed=1, error_rate=0.5), \
        Faults(seed=2, error_rate=0.5)
    paths = [f"/2017/02/{k}/" for k in range(200)]
    assert [one.transient(p, 0) for p in paths] == [two.transient(p, 0) for p in paths]
    assert [one.transient(p, 0) for p in paths] != [other.transient(p, 0) for p in paths]
    code = ("from crawler.samplesite import Faults; f = Faults(seed=4, error_rate=0.5, "
            "cp1256_rate=0.5); print([(f.transient(f'/p/{k}/', 0), f.encoding(f'/p/{k}/')) "
            "for k in range(50)])")
    outputs = {subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={"PYTHONHASHSEED": s}).stdout
               for s in ("1", "2")}
    assert len(outputs) == 1


# -- transient faults through a client -------------------------------------------------------


def test_errors_are_mixed_5xx_then_the_page(site, plain):
    faults = Faults(seed=SEED, error_rate=0.5)
    hit = paths_with(site, faults, "error")
    statuses = set()
    with serve(site, faults=faults) as running:
        for path in hit[:12]:
            status, response, body = fetch(running.origin, path)
            assert status in (500, 502, 503, 504) and b"nginx" in body
            statuses.add(status)
            for _ in range(2):
                status, _, body = fetch(running.origin, path)
                if status == 200:
                    break
            assert status == 200 and body == fetch(running.origin, path)[2]
    assert len(statuses) >= 2


def test_a_burst_answers_a_run_of_requests_with_503(site):
    targets = [site.article_paths[k] for k in range(25)]
    with serve(site, faults=Faults(burst_every=10, burst_length=3)) as running:
        statuses = [fetch(running.origin, t)[0] for t in targets]
        assert fetch(running.origin, "/robots.txt")[0] == 200  # never in a burst
    assert [k for k, s in enumerate(statuses) if s == 503] == [7, 8, 9, 17, 18, 19]
    assert all(s == 200 for k, s in enumerate(statuses) if k % 10 < 7)


def test_a_throttled_first_attempt_says_when_to_come_back(site):
    faults = Faults(seed=SEED, throttle_rate=1.0)
    path = unquote(site.article_paths[10])
    with serve(site, faults=faults) as running:
        status, response, _ = fetch(running.origin, site.article_paths[10])
        assert (status, response.getheader("Retry-After")) == (429, "1")
        assert fetch(running.origin, site.article_paths[10])[0] == 200
        assert running.faulted == [(site.article_paths[10], "throttle")]
    assert faults.transient(path, 1) is None


def test_a_reset_is_a_connection_reset(site):
    faults = Faults(seed=SEED, reset_rate=1.0)
    with serve(site, faults=faults) as running:
        with pytest.raises(ConnectionResetError):
            fetch(running.origin, site.article_paths[0])
        assert outcome(running.origin, site.article_paths[0]) == "ConnectionResetError"
        assert fetch(running.origin, site.article_paths[0])[0] == 200
        assert running.responses[:2] == [(site.article_paths[0], 0)] * 2


def test_truncated_bodies_are_seen_short_or_look_complete(site, plain):
    faults = Faults(seed=SEED, truncate_rate=1.0)
    paths = [p for p in site.article_paths[:40] if faults.transient(unquote(p), 0)]
    short = [p for p in paths if faults.short_body(unquote(p), 0)]
    looks_complete = [p for p in paths if not faults.short_body(unquote(p), 0)]
    assert short and looks_complete
    with serve(site, faults=faults) as running:
        with pytest.raises(http.client.IncompleteRead) as cut:
            fetch(running.origin, short[0])
        assert cut.value.expected > 0
        status, response, body = fetch(running.origin, looks_complete[0])
        whole = fetch(plain.origin, looks_complete[0])[2].replace(
            plain.origin.encode(), running.origin.encode())
        assert status == 200 and int(response.getheader("Content-Length")) == len(body)
        assert b"</html>" not in body and whole.startswith(body) and len(body) < len(whole)
        body.decode("utf-8")  # cut on a character boundary
        assert outcome(running.origin, looks_complete[0]) in ("cut", "IncompleteRead")
        assert fetch(running.origin, looks_complete[0])[2] == whole


def test_slow_answers_come_late_but_whole(site, plain):
    faults = Faults(seed=SEED, slow_rate=1.0, slow_seconds=0.4)
    with serve(site, faults=faults) as running:
        started = time.monotonic()
        status, _, body = fetch(running.origin, site.article_paths[2])
        assert time.monotonic() - started >= 0.4
        assert status == 200 and body.rstrip().endswith(b"</html>")


def test_a_timeout_holds_the_connection_then_closes_it(site):
    faults = Faults(seed=SEED, timeout_rate=1.0, timeout_seconds=0.6)
    target = site.article_paths[4]
    with serve(site, faults=faults) as running:
        with pytest.raises(TimeoutError):
            fetch(running.origin, target, timeout=0.2)
        started = time.monotonic()
        assert outcome(running.origin, target) == "RemoteDisconnected"
        assert 0.5 <= time.monotonic() - started < 5
        assert fetch(running.origin, target)[0] == 200
        assert [status for _, status in running.responses] == [0, 0, 200]


def test_every_transient_fault_gives_way_within_three_attempts(site, plain):
    faults = Faults(seed=SEED, error_rate=0.2, throttle_rate=0.1, reset_rate=0.1,
                    truncate_rate=0.2, timeout_rate=0.05, timeout_seconds=0.2,
                    slow_rate=0.05, slow_seconds=0.05, burst_every=37, burst_length=4)
    seen: set[str | int] = set()
    with serve(site, faults=faults) as running:
        for target in site.article_paths[:60]:
            tries = [outcome(running.origin, target) for _ in range(3)]
            assert tries[-1] == 200, (target, tries)
            seen.update(tries)
            whole = fetch(running.origin, target)[2]
            assert whole == fetch(plain.origin, target)[2].replace(
                plain.origin.encode(), running.origin.encode())
        kinds = {fault for _, fault in running.faulted}
    assert set(TRANSIENT) | {"burst"} <= kinds
    assert {"ConnectionResetError", "RemoteDisconnected", "IncompleteRead", "cut", 429} <= seen


def test_the_same_requests_meet_the_same_faults(site):
    faults = Faults(seed=9, error_rate=0.2, reset_rate=0.1, truncate_rate=0.2,
                    throttle_rate=0.1, cp1256_rate=0.3, burst_every=11, burst_length=2)
    runs = []
    for _ in range(2):
        with serve(site, faults=faults) as running:
            targets = [p for p in site.article_paths[:30] for _ in range(2)]
            runs.append([outcome(running.origin, t) for t in targets])
    assert runs[0] == runs[1] and len(set(runs[0])) >= 3


# -- pages damaged for good (on every attempt) ---------------------------------------------


def test_windows_1256_pages_decode_to_the_same_text(site, plain):
    faults = Faults(seed=SEED, cp1256_rate=0.5, wrong_charset_rate=0.5)
    kinds: dict[str, str] = {}
    with serve(site, faults=faults) as running:
        for target in site.article_paths[:40]:
            kind = faults.encoding(unquote(target))
            assert kind in ("cp1256", "wrong")
            status, response, body = fetch(running.origin, target)
            original = fetch(plain.origin, target)[2].decode("utf-8").replace(
                plain.origin, running.origin)
            assert status == 200 and text_of(body.decode("cp1256")) == text_of(original)
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
            header = response.getheader("Content-Type")
            if kind == "cp1256":
                assert header == "text/html" and b"charset" not in body.lower()
            else:
                assert header == "text/html; charset=utf-8"
            ld = Selector(text=body.decode("cp1256")).css(
                'script[type="application/ld+json"]::text').get()
            if ld:
                assert json.loads(ld) == json.loads(Selector(text=original).css(
                    'script[type="application/ld+json"]::text').get())
            kinds[kind] = target
            assert fetch(running.origin, target)[2] == body  # every attempt alike
    assert set(kinds) == {"cp1256", "wrong"}


def test_malformed_markup_keeps_the_text(site, plain):
    faults = Faults(seed=SEED, malformed_rate=1.0)
    with serve(site, faults=faults) as running:
        for target in site.article_paths[:12]:
            body = fetch(running.origin, target)[2].decode("utf-8")
            original = fetch(plain.origin, target)[2].decode("utf-8").replace(
                plain.origin, running.origin)
            assert body.count("<body") == 2 and "R&D | 1 < 2" in body
            assert body.count("</div>") == original.count("</div>") + 1
            assert body.count("</p>") == original.count("</p>") - 1
            assert text_of(body) == text_of(original)
        listing = fetch(running.origin, "/")[2].decode("utf-8")
        assert listing.count("<body") == 1  # listings only with listings=True
    with serve(site, faults=Faults(seed=SEED, malformed_rate=1.0, listings=True)) as running:
        assert fetch(running.origin, "/")[2].decode("utf-8").count("<body") == 2
        assert fetch(running.origin, "/feed/")[2].count(b"<body") == 0


def test_one_article_is_padded_beyond_the_limit(site, plain):
    faults = Faults(seed=SEED, oversize=2_000_000)
    target = place(site, faults).oversize
    assert target is not None
    with serve(site, faults=faults) as running:
        status, response, body = fetch(running.origin, target, timeout=20)
        assert status == 200 and int(response.getheader("Content-Length")) > 2_000_000
        original = fetch(plain.origin, target)[2].decode().replace(plain.origin, running.origin)
        assert text_of(body.decode()) == text_of(original)
        assert len(fetch(running.origin, site.article_paths[0])[2]) < 100_000
    assert PLACEHOLDER + target not in {
        a["url"] for a in truth_under(site, faults, PLACEHOLDER)["articles"]}


# -- lasting faults: 404s, robots.txt, loops, offsite, traps, cycle -------------------------


def test_missing_articles_are_404_for_good_and_leave_the_truth(site):
    chain_middle = site.article_paths.index(site.chain[len(site.chain) // 2]) + 1
    gone = {chain_middle + 3, 40}
    faults = Faults(seed=SEED, missing=gone)
    with serve(site, faults=faults) as running:
        for i in gone:
            for _ in range(3):
                assert fetch(running.origin, site.article_paths[i - 1])[0] == 404
        truth = running.truth
    urls = {a["url"].removeprefix(running.origin) for a in truth["articles"]}
    assert urls == set(site.article_paths) - {site.article_paths[i - 1] for i in gone}
    gone_urls = {running.origin + site.article_paths[i - 1] for i in gone}
    # Links to the missing articles are still on their neighbours' pages.
    assert {dst for _, dst, _ in truth["links"]} & gone_urls
    assert not {src for src, _, _ in truth["links"]} & gone_urls
    assert not set(truth["aliases"].values()) & gone_urls


def test_robots_disallows_a_month_and_the_truth_leaves_it_out(site, plain):
    faults = Faults(robots_disallow=("/2017/03/",))
    with serve(site, faults=faults) as running:
        robots = Protego.parse(fetch(running.origin, "/robots.txt")[2].decode())
        assert not robots.can_fetch(running.origin + "/2017/03/01/x/", "bot")
        assert not robots.can_fetch(running.origin + "/wp-admin/", "bot")
        # The sitemaps are still named, after the rules.
        assert list(robots.sitemaps) == [running.origin + "/wp-sitemap.xml",
                                         running.origin + "/news-sitemap.xml"]
        march = [p for p in site.article_paths if p.startswith("/2017/03/")]
        assert 5 < len(march) < ARTICLES
        assert fetch(running.origin, march[0])[0] == 200  # robots.txt is advice
        truth = running.truth
    stored = {a["url"].removeprefix(running.origin) for a in truth["articles"]}
    assert stored == set(site.article_paths) - set(march)
    assert not any("/2017/03/" in alias for alias in truth["aliases"])
    assert Protego.parse(fetch(plain.origin, "/robots.txt")[2].decode()).can_fetch(
        plain.origin + "/2017/03/01/x/", "bot")


def test_a_read_also_link_leads_into_a_redirect_loop(site):
    faults = Faults(seed=SEED, redirect_loop=True)
    host = place(site, faults).loop_host
    with serve(site, faults=faults) as running:
        page = Selector(text=fetch(running.origin, host)[2].decode())
        assert page.css(f'main a[href="{running.origin}{LOOP[0]}"]::text').get() == \
            f"«{LOOP_TITLE}»" or page.css(f'main a[href="{running.origin}{LOOP[0]}"]')
        target, hops = LOOP[0], []
        for _ in range(4):
            status, response, _ = fetch(running.origin, target)
            assert status == 301
            target = response.getheader("Location").removeprefix(running.origin)
            hops.append(target)
        assert hops == [LOOP[1], LOOP[0], LOOP[1], LOOP[0]]
        assert running.truth == site.truth_for(running.origin)


def test_a_read_also_link_redirects_to_another_host(site):
    faults = Faults(seed=SEED, offsite_redirect=True)
    host = place(site, faults).offsite_host
    with serve(site, faults=faults) as running:
        body = fetch(running.origin, host)[2].decode()
        assert f'href="{running.origin}{OFFSITE_PATH}"' in body
        status, response, _ = fetch(running.origin, OFFSITE_PATH)
        assert (status, response.getheader("Location")) == (301, OFFSITE_TARGET)
        assert urlsplit(OFFSITE_TARGET).hostname != "127.0.0.1"
        assert running.truth == site.truth_for(running.origin)


def test_the_calendar_and_the_pagination_never_end_and_cost_little(site, plain):
    with serve(site, faults=Faults(trap=True)) as running:
        for target in (site.article_paths[7], "/", "/category/%D9%84%D8%A8%D9%86%D8%A7%D9%86/",
                       "/no-such-page/"):
            sidebar = Selector(text=fetch(running.origin, target)[2].decode()).css("aside")
            assert sidebar.css(".widget_calendar a::attr(href)").getall() == [
                f"{running.origin}/calendar/?month=2017-03", f"{running.origin}/page/2/"]
        target, months = "/calendar/?month=2017-03", set()
        for _ in range(30):
            status, _, body = fetch(running.origin, target)
            assert status == 200 and len(body) < 2000
            months.add(target)
            target = Selector(text=body.decode()).css(
                ".wp-calendar-nav-next a::attr(href)").get().removeprefix(running.origin)
        assert len(months) == 30 and target == "/calendar/?month=2019-09"
        prev = Selector(text=fetch(running.origin, "/calendar/?month=2017-01")[2].decode()).css(
            ".wp-calendar-nav-prev a::attr(href)").get()
        assert prev == f"{running.origin}/calendar/?month=2016-12"
        target = "/page/2/"
        for number in range(2, 60):
            status, _, body = fetch(running.origin, target)
            assert status == 200 and len(body) < 15_000
            nxt = Selector(text=body.decode()).css("a.next.page-numbers::attr(href)").get()
            target = nxt.removeprefix(running.origin)
            assert target == f"/page/{number + 1}/"
        deep = fetch(running.origin, "/page/987654321/")
        assert deep[0] == 200 and b"no-results" in deep[2]
        assert fetch(running.origin, "/calendar/?month=2017-13")[0] == 404
        assert running.truth == site.truth_for(running.origin)
    assert fetch(plain.origin, "/calendar/?month=2017-03")[0] == 404
    assert fetch(plain.origin, "/page/2/")[0] == 404


def test_category_pagination_never_ends_with_the_traps_on(site, plain):
    """Past its last page a category keeps linking a next page, which repeats the last
    page's articles: only a crawler that stops at a page with nothing new gets out."""
    base = "/category/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9/"
    real = [base] + [f"{base}page/{n}/" for n in range(2, 100)
                     if fetch(plain.origin, f"{base}page/{n}/")[0] == 200]
    assert 2 <= len(real) < 20 and fetch(plain.origin, f"{base}page/{len(real) + 1}/")[0] == 404

    def listed(body: bytes) -> list[str]:
        return Selector(text=body.decode()).css("h2.entry-title a::attr(href)").getall()

    with serve(site, faults=Faults(trap=True)) as running:
        last = fetch(running.origin, real[-1])[2]
        target = Selector(text=last.decode()).css("a.next.page-numbers::attr(href)").get()
        for number in range(len(real) + 1, len(real) + 30):
            assert target == f"{running.origin}{wp_path(unquote(base))}page/{number}/"
            status, _, body = fetch(running.origin, urlsplit(target).path)
            assert status == 200 and len(body) < 15_000
            assert listed(body) == listed(last) != []
            target = Selector(text=body.decode()).css("a.next.page-numbers::attr(href)").get()
        assert running.truth == site.truth_for(running.origin)


def test_a_next_link_points_back_into_a_cycle(site):
    faults = Faults(seed=SEED, cycle=True)
    cycle = place(site, faults).cycle
    assert cycle is not None
    source, older = cycle
    k = site.chain.index(source)
    assert site.chain.index(older) < k - 1 and k > len(site.chain) // 2
    with serve(site, faults=faults) as running:
        body = fetch(running.origin, source)[2].decode()
        assert running.origin + wp_path(unquote(site.chain[k + 1])) not in body
        assert running.origin + wp_path(unquote(older)) in body
        links = {tuple(link) for link in running.truth["links"]}
    o = running.origin
    assert (o + source, o + older, "next") in links
    assert (o + source, o + site.chain[k + 1], "next") not in links
    assert (o + site.chain[k + 1], o + source, "prev") in links


def test_the_truth_under_all_faults_leaves_out_exactly_what_cannot_be_stored(site):
    faults = Faults(seed=SEED, missing={30, 31, 32}, robots_disallow=("/2017/03/",),
                    oversize=1_000_000, cycle=True, redirect_loop=True, offsite_redirect=True,
                    trap=True, error_rate=0.3, reset_rate=0.1, cp1256_rate=0.2,
                    malformed_rate=0.2, truncate_rate=0.1, throttle_rate=0.1)
    placed = place(site, faults)
    truth, plain_truth = truth_under(site, faults, "http://o"), site.truth_for("http://o")
    left_out = {site.article_paths[i - 1] for i in (30, 31, 32)} | {
        p for p in site.article_paths if p.startswith("/2017/03/")} | {placed.oversize}
    stored = {a["url"] for a in truth["articles"]}
    assert stored == {a["url"] for a in plain_truth["articles"]} - {
        "http://o" + p for p in left_out}
    assert truth["articles"] == [a for a in plain_truth["articles"] if a["url"] in stored]
    assert all(src in stored for src, _, _ in truth["links"])
    assert set(truth["aliases"].values()) <= stored
    assert len(truth["links"]) == sum(1 for link in plain_truth["links"] if link[0] in stored)


# -- date archives (always there) ---------------------------------------------------------


def test_day_and_month_archives_list_their_posts_newest_first(site, plain):
    by_day: dict[str, list[str]] = {}
    for a in site.truth["articles"]:
        path = a["url"].removeprefix(PLACEHOLDER)
        by_day.setdefault(path[:12], []).append(path)
    days = sorted(by_day)
    for day in days[:3] + days[-2:]:
        page = Selector(text=fetch(plain.origin, day)[2].decode())
        assert "archive date" in page.css("body::attr(class)").get()
        listed = [urlsplit(h).path.upper() for h in
                  page.css("h2.entry-title a::attr(href)").getall()]
        assert listed == [p.upper() for p in reversed(by_day[day])]
    month = "/2017/02/"
    expected = [p for p in reversed(site.article_paths) if p.startswith(month)]
    target, listed, pages = month, [], 0
    while target:
        page = Selector(text=fetch(plain.origin, target)[2].decode())
        entries = page.css("h2.entry-title a::attr(href)").getall()
        assert len(entries) <= 10 and "archive date" in page.css("body::attr(class)").get()
        listed += [urlsplit(h).path.upper() for h in entries]
        pages += 1
        nxt = page.css("a.next.page-numbers::attr(href)").get()
        target = nxt.removeprefix(plain.origin) if nxt else None
        assert target is None or re.fullmatch(r"/2017/02/page/\d+/", target)
    assert listed == [p.upper() for p in expected] and pages == -(-len(expected) // 10)
    assert fetch(plain.origin, "/2017/02/page/99/")[0] == 404
    assert fetch(plain.origin, "/2016/12/")[0] == 404


def test_off_chain_articles_are_in_the_date_archives(site, plain):
    off = [p for p in site.article_paths if p not in set(site.chain)]
    assert off
    day = fetch(plain.origin, off[0][:12])[2].decode()
    assert wp_path(unquote(off[0])) in day


# -- the command line ---------------------------------------------------------------------


def test_cli_serves_faults_and_writes_the_truth_under_them(tmp_path):
    truth_path = tmp_path / "truth.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.samplesite", "--articles", "40", "--seed", "3",
         "--missing", "5,6", "--trap", "--throttle-rate", "1", "--truth", str(truth_path),
         "--max-seconds", "30"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with proc:
        origin = proc.stdout.readline().strip()
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        site = generate(40, 3)
        assert truth == truth_under(site, Faults(seed=3, missing={5, 6}, trap=True,
                                                throttle_rate=1), origin)
        assert len(truth["articles"]) == 38
        assert fetch(origin, site.article_paths[4])[0] == 404
        assert fetch(origin, site.article_paths[0])[0] == 429
        assert fetch(origin, "/page/5/")[0] == 200
        proc.terminate()
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize("args", [["--error-rate", "2"], ["--missing", "99"],
                                  ["--timeout-seconds", "60"]])
def test_cli_rejects_impossible_faults_in_one_line(args):
    proc = subprocess.run([sys.executable, "-m", "crawler.samplesite", "--articles", "20",
                           "--max-seconds", "5", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "error:" in proc.stderr and "Traceback" not in proc.stderr


def test_servers_stop_promptly_while_holding_a_connection(site):
    faults = Faults(timeout_rate=1.0, timeout_seconds=10)
    running = serve(site, faults=faults)
    sock = socket.create_connection((urlsplit(running.origin).hostname,
                                     urlsplit(running.origin).port), timeout=5)
    sock.sendall(f"GET {site.article_paths[0]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(0.2)
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 3
    assert sock.recv(100) == b""
    sock.close()


def test_fault_module_doctests():
    for name in ("faults", "damage", "truth"):
        result = doctest.testmod(importlib.import_module(f"crawler.samplesite.{name}"))
        assert result.failed == 0 and result.attempted > 0, name
