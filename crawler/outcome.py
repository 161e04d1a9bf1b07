"""A finished run's verdict: its exit status, and why a run that ended is degraded.

Exit statuses (documented in the README):
0 success; 1 the crawl ended otherwise (cancelled, shut down); 2 usage or configuration
error; 3 storage error; 4 another run holds the database's lock; 5 degraded run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

OK, FAILED, USAGE, STORAGE, LOCKED, DEGRADED = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Thresholds:
    """When a run that finished is still degraded."""

    max_error_share: float = 0.2
    min_coverage_ratio: float = 0.5


def degradation(run: dict[str, Any], last: dict[str, Any] | None, stats: dict[str, Any],
                limits: Thresholds) -> str | None:
    """Why *run* is degraded (one line), or None.  *last* is the previous finished run."""
    fetched, failed = run.get("fetched") or 0, run.get("failed") or 0
    if fetched + failed and failed / (fetched + failed) > limits.max_error_share:
        return (f"{failed} of {fetched + failed} fetches failed "
                f"(more than {limits.max_error_share:.0%})")
    unseen = stats.get("incremental/unknown_on_entry_pages", 0)
    if not run.get("new") and unseen:
        return f"no new article stored although the entry pages list {unseen} unknown ones"
    return _coverage_drop(run, last, limits.min_coverage_ratio)


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
    if reason != "finished":
        return FAILED, f"the crawl ended early ({reason})"
    why = degradation(run or {}, last, stats, limits)
    return (DEGRADED, why) if why else (OK, None)
