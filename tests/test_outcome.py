"""A run's verdict: which finished runs are degraded, and the exit status of each end."""

from __future__ import annotations

import pytest

from crawler.outcome import (
    DEGRADED,
    FAILED,
    LOCKED,
    OK,
    STORAGE,
    Thresholds,
    degradation,
    exit_status,
)

LIMITS = Thresholds(max_error_share=0.2, min_coverage_ratio=0.5)
FULL = {"title": 1.0, "author": 0.9, "published": 1.0, "body": 1.0}


def run(**fields) -> dict:
    return {"fetched": 100, "failed": 0, "new": 5, "coverage": FULL, **fields}


@pytest.mark.parametrize(("this", "stats", "degraded"), [
    (run(), {}, None),
    (run(failed=30, fetched=100), {}, "30 of 130 fetches failed"),
    (run(failed=20, fetched=100), {}, None),  # 20 of 120: under the limit
    (run(new=0), {"incremental/unknown_on_entry_pages": 4},
     "no new article stored although the entry pages list 4 unknown ones"),
    (run(new=0), {}, None),  # nothing new on the site: a quiet day, not a failure
    (run(coverage={**FULL, "author": 0.3}), {}, "coverage of author fell from 90% to 30%"),
    (run(coverage={**FULL, "author": 0.5}), {}, None),
    (run(coverage={}), {}, None),  # stored nothing this run: no coverage to compare
    (run(coverage='{"title": 1.0, "author": 0.1, "published": 1.0, "body": 1.0}'), {},
     "coverage of author fell from 90% to 10%"),
])
def test_degradation(this, stats, degraded):
    found = degradation(this, run(), stats, LIMITS)
    assert (found is None) == (degraded is None)
    if degraded:
        assert found.startswith(degraded)


def test_first_run_has_no_coverage_to_fall_from():
    assert degradation(run(coverage={"author": 0.0}), None, {}, LIMITS) is None


@pytest.mark.parametrize(("reason", "extra", "code"), [
    ("finished", {}, OK),
    ("finished", {"store/error": "disk full"}, STORAGE),
    ("storage_error", {}, STORAGE),
    ("locked", {}, LOCKED),
    ("shutdown", {}, FAILED),
    ("closespider_pagecount", {}, FAILED),
])
def test_exit_status_by_finish_reason(reason, extra, code):
    assert exit_status({"finish_reason": reason, **extra}, run(), run(), LIMITS)[0] == code


def test_exit_status_of_a_degraded_run_says_why():
    code, why = exit_status({"finish_reason": "finished"}, run(failed=90), run(), LIMITS)
    assert code == DEGRADED and "fetches failed" in why
