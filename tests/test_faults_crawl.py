"""Crawls of a sample site that fails the way real servers do: every article a perfect
crawler can reach is stored exactly once with every field right; nothing else is."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from crawler.samplesite import Faults, generate, serve
from tests.conftest import LOOPBACK, query, run_cli
from tests.conftest import stored_articles as stored

FIELDS = ("title", "author", "published", "modified", "categories", "tags", "body",
          "language", "word_count")
# Short timeouts and waits: the faults are on loopback, the test must stay quick.
FAST_RETRIES = ["-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=3",
                "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "RETRY_BACKOFF_MAX=0.2"]


def crawl(tmp_path: Path, faults: Faults, articles: int = 60, seed: int = 4,
          extra: tuple[str, ...] = (), profile: str = "janoubia") -> dict:
    """Crawl the site under *faults* from its middle article and home page."""
    site = generate(articles, seed=seed)
    db = tmp_path / "corpus.db"
    with serve(site, faults=faults) as server:
        starts = [site.middle_article(server.origin), server.origin + "/"]
        result = run_cli("crawl", profile, *starts, "--db", str(db), *LOOPBACK,
                         *FAST_RETRIES, *extra, timeout=300)
        return {"result": result, "db": db, "truth": server.truth, "origin": server.origin,
                "timeline": server.timeline, "faulted": server.faulted}


def assert_equals_truth(run: dict, not_articles: tuple[str, ...] = ()) -> None:
    """Exactly the truth's articles, every field equal, its links, no duplicate.
    Links to paths in *not_articles* (seen on a page, found not to be articles only
    once fetched) are left out of the comparison."""
    articles = stored(run["db"])
    truth = {a["url"]: a for a in run["truth"]["articles"]}
    assert sorted(articles) == sorted(truth)
    wrong = {(url, name) for url, a in truth.items() for name in FIELDS
             if articles[url][name] != a[name]}
    assert wrong == set()
    links = {link for link in query(run["db"], "select src, dst, role from links")
             if not link[1].startswith(tuple(run["origin"] + p for p in not_articles))}
    assert links == {tuple(link) for link in run["truth"]["links"]}
    assert query(run["db"], "select content_hash from articles group by content_hash "
                            "having count(*) > 1") == []


def statuses(run: dict) -> list[int]:
    return [status for _, status, _ in run["timeline"]]


def test_everything_at_once(tmp_path):
    """10% 5xx, 5% timeouts, 2% resets, 2% truncated bodies, a 404 and a cycle in the
    chain: the run ends by itself and stores exactly the truth."""
    faults = Faults(seed=7, error_rate=0.10, timeout_rate=0.05, timeout_seconds=2.0,
                    reset_rate=0.02, truncate_rate=0.02, missing=frozenset({23}), cycle=True)
    run = crawl(tmp_path, faults, articles=200, seed=7)
    assert run["result"].returncode == 0, run["result"].stderr[-3000:]
    assert {fault for _, fault in run["faulted"]} >= {"error", "timeout", "reset", "truncate"}
    assert_equals_truth(run)
    (failed,) = query(run["db"], "select failed from runs")[0]
    assert failed >= 1  # the 404, recorded for the next run to try again


def test_5xx_and_bursts_are_retried(tmp_path):
    run = crawl(tmp_path, Faults(seed=1, error_rate=0.3, burst_every=40, burst_length=5))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert sum(500 <= s < 600 for s in statuses(run)) >= 10
    assert_equals_truth(run)
    assert query(run["db"], "select failed from runs") == [(0,)]


def test_slow_pages_are_waited_for_and_timeouts_retried(tmp_path):
    run = crawl(tmp_path, Faults(seed=2, slow_rate=0.2, slow_seconds=0.3, timeout_rate=0.1,
                                 timeout_seconds=2.0))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert any(fault == "timeout" for _, fault in run["faulted"])
    assert_equals_truth(run)


def test_connection_resets_are_retried(tmp_path):
    run = crawl(tmp_path, Faults(seed=3, reset_rate=0.2))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert any(fault == "reset" for _, fault in run["faulted"])
    assert_equals_truth(run)


def test_truncated_bodies_are_never_stored(tmp_path):
    run = crawl(tmp_path, Faults(seed=4, truncate_rate=0.3))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert sum(fault == "truncate" for _, fault in run["faulted"]) >= 5
    assert_equals_truth(run)  # every body whole: the cut copies were fetched again


def test_truncated_bodies_that_never_come_whole_are_recorded_as_failures(tmp_path):
    run = crawl(tmp_path, Faults(seed=4, truncate_rate=0.3), extra=("-s", "RETRY_TIMES=0"))
    failures = query(run["db"], "select final_url, error from fetches where error is not null")
    assert failures, "some page was cut on its only attempt"
    bodies = {url: a["body"] for url, a in stored(run["db"]).items()}
    truth = {a["url"]: a["body"] for a in run["truth"]["articles"]}
    # What is stored is whole; a page cut on one attempt may come whole on a later
    # request of the same run (from the sitemap, say), and only then is it stored.
    assert all(bodies[url] == truth[url] for url in bodies)



def test_a_404_in_the_chain_is_bridged_through_the_date_archives(tmp_path):
    site = generate(60, seed=4)
    missing = next(i for i in range(25, 40) if site.article_paths[i - 1] in site.chain)
    # Without the sitemaps, feeds and archives, which would list the posts beyond the
    # break anyway.
    run = crawl(tmp_path, Faults(seed=5, missing=frozenset({missing})),
                extra=("-s", "DISCOVERY_SITEMAPS=0", "-s", "DISCOVERY_FEEDS=0",
                       "-s", "DISCOVERY_ARCHIVES=0"))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert_equals_truth(run)
    errors = query(run["db"], "select status, link_role from fetches where status = 404")
    # The break is recorded as the failed fetch of a prev/next link (an empty day's
    # archive may 404 too, as WordPress answers for days without posts).
    assert {role for _, role in errors} & {"prev", "next"}
    archives = {unquote(p) for p, _, _ in run["timeline"]
                if p.count("/") == 3 and p[1:5].isdigit()}  # /YYYY/MM/
    assert archives, "the break was bridged through a month archive"


def test_redirect_loops_end_and_are_recorded(tmp_path):
    # The generic profile follows a read-also link whatever its path (janoubia's
    # permalink rule would not even request /loop/a/).
    run = crawl(tmp_path, Faults(seed=6, redirect_loop=True), profile="wordpress")
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    loops = [p for p, _, _ in run["timeline"] if p.startswith("/loop/")]
    assert 0 < len(loops) <= 25  # Scrapy gives up after REDIRECT_MAX_TIMES
    errors = [e for (e,) in query(run["db"], "select error from fetches where error is not null")]
    assert any("redirect loop" in e for e in errors)
    assert_equals_truth(run, not_articles=("/loop/",))


def test_a_redirect_to_another_host_is_never_followed(tmp_path):
    run = crawl(tmp_path, Faults(seed=6, offsite_redirect=True), profile="wordpress")
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert any(p.startswith("/go/") for p, _, _ in run["timeline"])  # the redirect was seen
    urls = [u for (u,) in query(run["db"], "select final_url from fetches")]
    assert not [u for u in urls if "other.invalid" in u]
    assert_equals_truth(run, not_articles=("/go/",))


@pytest.mark.parametrize("fault", ["cp1256_rate", "wrong_charset_rate"])
def test_windows_1256_pages_decode_to_the_same_arabic(tmp_path, fault):
    run = crawl(tmp_path, Faults(seed=8, **{fault: 0.5}))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert_equals_truth(run)


def test_malformed_html_gives_the_same_fields(tmp_path):
    run = crawl(tmp_path, Faults(seed=9, malformed_rate=0.5))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert_equals_truth(run)


def test_a_page_above_the_size_limit_is_refused_and_recorded(tmp_path):
    run = crawl(tmp_path, Faults(seed=10, oversize=2_000_000),
                extra=("-s", "DOWNLOAD_MAXSIZE=1000000"))
    assert_equals_truth(run)  # the truth leaves the oversized article out
    errors = [e for (e,) in query(run["db"], "select error from fetches where error is not null")]
    assert errors


def test_calendar_and_pagination_traps_do_not_hold_the_crawl(tmp_path):
    run = crawl(tmp_path, Faults(seed=11, trap=True))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    trap = [p for p, _, _ in run["timeline"] if p.startswith(("/calendar/", "/page/"))]
    assert len(trap) <= 4
    assert_equals_truth(run)


def test_a_prev_next_cycle_ends(tmp_path):
    run = crawl(tmp_path, Faults(seed=12, cycle=True))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert_equals_truth(run)


def test_robots_txt_is_obeyed(tmp_path):
    run = crawl(tmp_path, Faults(seed=13, robots_disallow=("/2017/01/03/",)))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    assert not [p for p, _, _ in run["timeline"] if unquote(p).startswith("/2017/01/03/")]
    assert_equals_truth(run)


def test_429_retry_after_is_honoured(tmp_path):
    run = crawl(tmp_path, Faults(seed=14, throttle_rate=0.2))
    assert run["result"].returncode == 0, run["result"].stderr[-2000:]
    first_429 = {}
    waits = []
    for path, status, at in run["timeline"]:
        if status == 429:
            first_429.setdefault(path, at)
        elif path in first_429 and status == 200:
            waits.append(at - first_429.pop(path))
    assert waits and min(waits) >= 0.95  # Retry-After: 1
    assert_equals_truth(run)
