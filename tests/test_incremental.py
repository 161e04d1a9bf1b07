"""Scheduled runs over days of a real-like site: each run fetches only what is new."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.samplesite import generate, serve
from tests.conftest import LOOPBACK, run_cli

ARTICLES, NEW, EDITED = 2000, 7, 3


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def rows(db: Path) -> dict[str, int]:
    return {name: count(db, f"select count(*) from {name}")
            for name in ("articles", "links", "aliases", "revisions")}


def crawl(origin: str, db: Path) -> None:
    result = run_cli("crawl", "janoubia", origin + "/", "--db", str(db), *LOOPBACK, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three runs on one database: a first crawl, a day with no change, a day with
    NEW articles published and EDITED ones edited.  Records each run's requests."""
    db = tmp_path_factory.mktemp("days") / "corpus.db"
    site = generate(ARTICLES, seed=5)
    found: dict = {"db": db}
    with serve(site) as server:
        crawl(server.origin, db)
        found["first"] = (len(server.requests), rows(db))
        crawl(server.origin, db)
        found["unchanged"] = (len(server.requests) - found["first"][0], rows(db))
        found["unchanged_statuses"] = [status for _, status in
                                       server.responses[found["first"][0]:]]
        later = generate(ARTICLES + NEW, seed=5, edits=EDITED)
        server.replace_site(later)
        before = len(server.requests)
        crawl(server.origin, db)
        found["next_day"] = (len(server.requests) - before, rows(db))
        found["truth"] = later.truth_for(server.origin)
        found["first_truth"] = site.truth_for(server.origin)
    return found


def test_first_run_stores_the_whole_site(days):
    requests, stored = days["first"]
    assert stored["articles"] == len(days["first_truth"]["articles"])
    assert stored["revisions"] == 0


def test_second_run_over_an_unchanged_site_fetches_at_most_5_percent(days):
    first_requests, first_rows = days["first"]
    requests, stored = days["unchanged"]
    assert requests <= 0.05 * first_requests, (requests, first_requests)
    assert stored == first_rows


def test_known_pages_are_asked_for_conditionally_and_answer_304(days):
    statuses = days["unchanged_statuses"]
    assert statuses.count(304) >= len(statuses) // 2, statuses
    with sqlite3.connect(days["db"]) as conn:
        not_modified = conn.execute("select not_modified from runs where id = 2").fetchone()[0]
    assert not_modified == statuses.count(304)


def test_a_day_later_exactly_the_new_articles_and_the_edits_are_stored(days):
    _, before = days["unchanged"]
    _, after = days["next_day"]
    assert after["articles"] - before["articles"] == NEW
    assert after["revisions"] == EDITED
    truth = days["truth"]
    with sqlite3.connect(days["db"]) as conn:
        stored = dict(conn.execute("select url, body from articles").fetchall())
        links = set(conn.execute("select src, dst, role from links").fetchall())
        revised = {r[0] for r in conn.execute("select article_url from revisions")}
    assert {a["url"]: a["body"] for a in truth["articles"]} == stored
    assert links == {tuple(link) for link in truth["links"]}
    assert revised == set(truth["edited"])


def test_runs_are_recorded_with_their_counts(days):
    with sqlite3.connect(days["db"]) as conn:
        conn.row_factory = sqlite3.Row
        runs = [dict(r) for r in conn.execute("select * from runs order by id")]
    assert [r["exit_status"] for r in runs] == [0, 0, 0]
    assert [r["finish_reason"] for r in runs] == ["finished"] * 3
    assert [r["new"] for r in runs] == [len(days["first_truth"]["articles"]), 0, NEW]
    assert 0 < runs[1]["fetched"] <= days["unchanged"][0]
