"""What a crawl did, in a few lines for its terminal or its scheduler's mail."""

from __future__ import annotations

from typing import Any

from crawler.outcome import MEANINGS


def crawl_summary(stats: dict[str, Any], elapsed: float, code: int) -> str:
    """The summary ``crawler crawl`` prints at its end: pages, articles, failures,
    time, finish reason and exit status."""
    get = stats.get
    pages = get("response_received_count", 0)
    rows = [
        ("pages fetched", f"{pages} ({pages / max(elapsed, 1e-9):.0f} pages/s)"),
        ("articles new", get("store/inserted", 0)),
        ("updated", get("store/updated", 0)),
        ("unchanged", get("store/unchanged", 0)),
        ("not modified (304)", get("fetch/not_modified", 0)),
        ("duplicates merged", get("dedupe/duplicate", 0) + get("dedupe/replaced", 0)),
        ("failed fetches", get("fetch/failed", 0)),
        ("elapsed", f"{elapsed:.1f} s"),
        ("finish reason", get("finish_reason")),
        ("exit status", f"{code} ({MEANINGS.get(code, 'unknown')})"),
    ]
    return "\n".join(f"{label + ':':<20}{value}" for label, value in rows)
