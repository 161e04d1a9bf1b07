"""Bad settings and start URLs: refused in one line by ``crawler crawl``, and under
``scrapy crawl`` one ERROR log line and a finish reason that says why, never a traceback;
every run records its exit status, whichever command started it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.errors import UsageError
from crawler.inputcheck import bad_values, check_names, unknown_setting
from tests.conftest import LOOPBACK, RunningSite, query, run_cli

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize(("name", "message"), [
    ("CONCURENT_REQUESTS", "did you mean CONCURRENT_REQUESTS?"),
    ("STORE_BATCHSIZE", "did you mean STORE_BATCH_SIZE?"),
    ("NO_SUCH_THING_AT_ALL", "neither a Scrapy setting nor one of this crawler's"),
])
def test_an_unknown_name_is_refused_with_the_nearest_one(name, message):
    assert message in unknown_setting(name)
    with pytest.raises(UsageError, match=re.escape(message)):
        check_names(["DOWNLOAD_DELAY", name])


@pytest.mark.parametrize("name", ["LOG_LEVEL", "CLOSESPIDER_PAGECOUNT", "FEEDS", "CORPUS_DB",
                                  "UNREACHABLE_AFTER", "GC_THRESHOLD"])
def test_real_names_pass(name):
    assert unknown_setting(name) is None


def test_bad_values_name_each_setting():
    settings = Settings({"CONCURRENT_REQUESTS": "many", "DOWNLOAD_DELAY": "-1",
                         "ROBOTSTXT_OBEY": "perhaps", "SITE_TIMEZONE": "Mars/Olympus"})
    names = [name for name, _ in bad_values(settings)]
    assert sorted(names) == ["CONCURRENT_REQUESTS", "DOWNLOAD_DELAY", "ROBOTSTXT_OBEY",
                             "SITE_TIMEZONE"]


def test_crawler_crawl_refuses_a_misspelt_setting_and_creates_nothing(tmp_path):
    db = tmp_path / "corpus.db"
    result = run_cli("crawl", "wordpress", "http://127.0.0.1:9/", "--db", str(db),
                     "-s", "CONCURENT_REQUESTS=4")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: unknown setting CONCURENT_REQUESTS: did you mean CONCURRENT_REQUESTS?")
    assert not db.exists()


def scrapy_crawl(*args: str) -> subprocess.CompletedProcess:
    """The real ``scrapy`` command, from the project folder (where scrapy.cfg is)."""
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("args", "reason", "line"), [
    (["-a", "start_urls=notaurl"], "bad_start_url", "not an absolute http(s) URL: 'notaurl'"),
    ([], "bad_start_url", "profile 'wordpress' has no start pages"),
    (["-a", "profile=nosuchprofile", "-a", "start_urls=http://127.0.0.1:9/"], "bad_argument",
     "unknown profile 'nosuchprofile'"),
    (["-a", "start_urls=http://127.0.0.1:9/", "-s", "CONCURRENT_REQUESTS=many"],
     "bad_setting", "CONCURRENT_REQUESTS: expected a whole number, got 'many'"),
    (["-a", "start_urls=http://127.0.0.1:9/", "-s", "SITE_TIMEZONE=Mars/Olympus"],
     "bad_setting", "SITE_TIMEZONE: unknown time zone 'Mars/Olympus'"),
])
def test_scrapy_crawl_with_bad_input_logs_one_error_and_closes_with_a_reason(
        tmp_path, args, reason, line):
    db = tmp_path / "corpus.db"
    result = scrapy_crawl("wordpress", *args, "-s", f"CORPUS_DB={db}")
    errors = [x for x in result.stderr.splitlines() if "] ERROR: " in x]
    assert len(errors) == 1 and line in errors[0], result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"Spider closed ({reason})" in result.stderr
    assert query(db, "select finish_reason, exit_status, fetched from runs") == [(reason, 2, 0)]


def test_scrapy_crawl_warns_of_a_misspelt_setting(tmp_path):
    result = scrapy_crawl("wordpress", "-a", "start_urls=notaurl", "-s", "CONCURENT_REQUESTS=4",
                          "-s", f"CORPUS_DB={tmp_path / 'corpus.db'}")
    assert "WARNING: unknown setting CONCURENT_REQUESTS: did you mean CONCURRENT_REQUESTS?" \
        in result.stderr


def test_a_scrapy_crawl_records_its_exit_status(sample_site: RunningSite, tmp_path):
    db = tmp_path / "corpus.db"
    result = scrapy_crawl("janoubia", "-a", f"start_urls={sample_site.origin}/",
                          "-s", f"CORPUS_DB={db}", *LOOPBACK, "-s", "LOG_LEVEL=INFO")
    assert "Spider closed (finished)" in result.stderr, result.stderr[-3000:]
    assert query(db, "select finish_reason, exit_status from runs") == [("finished", 0)]
    runs = run_cli("runs", "--db", str(db))
    assert re.search(r"finished\s+0\s*$", runs.stdout.splitlines()[1])
