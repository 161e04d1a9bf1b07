"""``crawler crawl`` says what it did: a summary on standard output, whatever the log level."""

from __future__ import annotations

import re

from crawler.summary import crawl_summary
from tests.conftest import LOOPBACK, RunningSite, query, run_cli


def figure(out: str, label: str) -> str:
    return re.search(rf"^{re.escape(label)}:\s+(.+)$", out, re.M).group(1)


def test_a_crawl_ends_with_its_summary_even_at_log_level_warning(sample_site: RunningSite,
                                                                 tmp_path):
    db = tmp_path / "corpus.db"
    result = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db), *LOOPBACK)
    assert result.returncode == 0, result.stderr
    stored = query(db, "select count(*) from articles")[0][0]
    assert figure(result.stdout, "articles new") == str(stored) == str(sample_site.articles)
    fetched = query(db, "select fetched from runs")[0][0]
    assert figure(result.stdout, "pages fetched").startswith(f"{fetched} (")
    assert figure(result.stdout, "finish reason") == "finished"
    assert figure(result.stdout, "exit status") == "0 (success)"
    assert result.stderr == ""  # the log at WARNING: nothing went wrong

    again = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db), *LOOPBACK)
    assert figure(again.stdout, "articles new") == "0"
    assert int(figure(again.stdout, "not modified (304)")) > 0  # feeds and archives asked again


def test_quiet_prints_no_summary(sample_site: RunningSite, tmp_path):
    result = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db",
                     str(tmp_path / "corpus.db"), "-q", *LOOPBACK)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_summary_lines():
    stats = {"response_received_count": 10, "store/inserted": 7, "store/updated": 1,
             "store/unchanged": 2, "fetch/not_modified": 3, "dedupe/duplicate": 1,
             "dedupe/replaced": 1, "fetch/failed": 4, "finish_reason": "finished"}
    text = crawl_summary(stats, elapsed=2.0, code=5)
    assert figure(text, "pages fetched") == "10 (5 pages/s)"
    assert figure(text, "duplicates merged") == "2"
    assert figure(text, "failed fetches") == "4"
    assert figure(text, "exit status") == "5 (degraded run)"
