"""Plain-text reports of the corpus for the command line: run history and summary."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

RUN_COLUMNS = ("id", "started", "took", "profile", "fetched", "new", "updated", "unchanged",
               "dups", "failed", "304", "reason", "exit")


def _took(run: dict[str, Any]) -> str:
    if not run.get("finished_at"):
        return "-"
    seconds = (datetime.fromisoformat(run["finished_at"])
               - datetime.fromisoformat(run["started_at"])).total_seconds()
    return f"{seconds:.0f}s" if seconds < 3600 else f"{seconds / 3600:.1f}h"


def run_row(run: dict[str, Any]) -> tuple[str, ...]:
    """One run as the cells of the history table."""
    def cell(name: str) -> str:
        value = run.get(name)
        return "-" if value is None else str(value)

    reason = run.get("finish_reason") or ("-" if run.get("finished_at") else "running or killed")
    return (cell("id"), (run.get("started_at") or "")[:19], _took(run), cell("profile"),
            cell("fetched"), cell("new"), cell("updated"), cell("unchanged"), cell("duplicates"),
            cell("failed"), cell("not_modified"), reason, cell("exit_status"))


def table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    lines = [list(header)] + [list(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                     for line in lines)


def format_runs(runs: list[dict[str, Any]]) -> str:
    """The run history, newest first."""
    if not runs:
        return "no runs recorded yet"
    return table(RUN_COLUMNS, (run_row(r) for r in runs))


def format_summary(summary: dict[str, Any], indent: int = 0) -> str:
    """A corpus summary as indented ``name: value`` lines (nested mappings indented)."""
    lines = []
    for name, value in summary.items():
        label = " " * indent + str(name) + ":"
        if isinstance(value, dict):
            lines.append(label)
            lines.append(format_summary(value, indent + 2))
        elif isinstance(value, list | tuple) and value and isinstance(value[0], list | tuple):
            lines.append(label)
            lines += [" " * (indent + 2) + "  ".join(str(v) for v in row) for row in value]
        elif isinstance(value, float):  # shares (coverage) as percentages
            lines.append(f"{label} {value:.1%}" if 0 <= value <= 1 else f"{label} {value:.3g}")
        elif isinstance(value, list):
            lines.append(f"{label} {json.dumps(value, ensure_ascii=False)}")
        else:
            lines.append(f"{label} {value}")
    return "\n".join(lines)
