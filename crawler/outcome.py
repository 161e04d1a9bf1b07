"""A finished run's verdict: its exit status, and why a run that ended is degraded.

Exit statuses (documented in the README):
0 success; 1 the crawl ended otherwise (stopped, cancelled); 2 usage or configuration
error; 3 storage error; 4 another run holds the database's lock; 5 degraded run;
6 the site could not be reached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crawler import settings as defaults

OK, FAILED, USAGE, STORAGE, LOCKED, DEGRADED, UNREACHABLE = 0, 1, 2, 3, 4, 5, 6
MEANINGS = {OK: "success", FAILED: "did not finish", USAGE: "bad input",
            STORAGE: "storage error", LOCKED: "another run holds the corpus",
            DEGRADED: "degraded run", UNREACHABLE: "site unreachable"}
# Finish reasons of a crawl refused for its input (under ``scrapy crawl``).
INPUT_REASONS = ("bad_setting", "bad_start_url", "bad_argument")
# A crawl stopped from outside (Ctrl-C, SIGTERM) and one forced to stop (twice).
STOPPED, FORCED = "shutdown", "forced_stop"
# A crawl whose components could not be built (Scrapy logged the error).
NOT_STARTED = "not_started"


@dataclass(frozen=True)
class Thresholds:
    """When a run that finished is still degraded."""

    max_error_share: float = defaults.RUNS_MAX_ERROR_SHARE
    min_coverage_ratio: float = defaults.RUNS_MIN_COVERAGE_RATIO

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        """``RUNS_MAX_ERROR_SHARE`` and ``RUNS_MIN_COVERAGE_RATIO``."""
        return cls(settings.getfloat("RUNS_MAX_ERROR_SHARE"),
                   settings.getfloat("RUNS_MIN_COVERAGE_RATIO"))


def degradation(run: dict[str, Any], last: dict[str, Any] | None, stats: dict[str, Any],
                limits: Thresholds) -> str | None:
    """Why *run* is degraded (one line), or None.  *last* is the previous finished run."""
    fetched, failed = run.get("fetched") or 0, run.get("failed") or 0
    if failed and not answered(stats, fetched):
        return f"every request failed ({failed} failed, no page fetched)"
    if fetched + failed and failed / (fetched + failed) > limits.max_error_share:
        return (f"{failed} of {fetched + failed} fetches failed "
                f"(more than {limits.max_error_share:.0%})")
    unseen = stats.get("incremental/unknown_on_entry_pages", 0)
    if not run.get("new") and unseen:
        return f"no new article stored although the entry pages list {unseen} unknown ones"
    return _coverage_drop(run, last, limits.min_coverage_ratio)


def answered(stats: dict[str, Any], fetched: int) -> int:
    """Responses of the run that were pages, not errors (2xx and 304); *fetched* when
    the stats count no responses by status."""
    prefix = "downloader/response_status_count/"
    counts = {key[len(prefix):]: n for key, n in stats.items() if key.startswith(prefix)}
    if not counts:
        return fetched
    return sum(n for status, n in counts.items() if status.startswith("2") or status == "304")


def _coverage_drop(run: dict[str, Any], last: dict[str, Any] | None, ratio: float) -> str | None:
    now, before = _coverage(run), _coverage(last)
    if not now:  # nothing stored this run: nothing to compare
        return None
    for field, share in before.items():
        if share and now.get(field, 0.0) < ratio * share:
            return f"coverage of {field} fell from {share:.0%} to {now.get(field, 0.0):.0%}"
    return None


def _coverage(run: dict[str, Any] | None) -> dict[str, float]:
    value = (run or {}).get("coverage") or {}
    return json.loads(value) if isinstance(value, str) else dict(value)


def exit_status(stats: dict[str, Any], run: dict[str, Any] | None, last: dict[str, Any] | None,
                limits: Thresholds) -> tuple[int, str | None]:
    """(exit status, reason) for a crawl that ran to its end."""
    reason = stats.get("finish_reason")
    if reason == "storage_error" or stats.get("store/error"):
        return STORAGE, "the corpus could not be written"
    if reason == "locked":
        return LOCKED, "another run holds the corpus's lock"
    if reason == "unreachable":
        return UNREACHABLE, stats.get("unreachable/message") or "the site cannot be reached"
    if reason in INPUT_REASONS:
        return USAGE, stats.get("input/error") or f"bad input ({reason})"
    if reason == STOPPED:
        return FAILED, ("stopped before the crawl finished; the next run resumes from what "
                        "was stored")
    if reason == NOT_STARTED:
        return FAILED, "the crawl could not start (the log above says why)"
    if reason in (None, FORCED):
        return FAILED, ("forced to stop before the crawl finished; the next run resumes "
                        "from what was stored")
    if reason != "finished":
        return FAILED, f"the crawl ended early ({reason})"
    why = degradation(run or {}, last, stats, limits)
    return (DEGRADED, why) if why else (OK, None)
