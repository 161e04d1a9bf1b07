"""The command line, run for real: bad input, exit codes, the demo."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.storage import APPLICATION_ID, RunLock
from tests.conftest import LOOPBACK, RunningSite, run_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("args", "message"), [
    (["crawl", "nosuch", "http://127.0.0.1:9/"], "'nosuch' is not one of"),
    (["crawl", "janoubia", "not a url"], "not an absolute http(s) URL"),
    (["crawl", "janoubia", "ftp://127.0.0.1/x"], "not an absolute http(s) URL"),
    (["crawl", "wordpress"], "has no start pages"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "NOEQUALS"], "expects NAME=VALUE"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "SITE_TIMEZONE=Mars/Base"],
     "unknown time zone"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "STORE_BATCH_SIZE=many"],
     "expected a whole number"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "INCREMENTAL_ENABLED=maybe"],
     "INCREMENTAL_ENABLED: expected True or False"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAY=-1"],
     "DOWNLOAD_DELAY: expected a number of at least 0"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "RUNS_MAX_ERROR_SHARE=lots"],
     "RUNS_MAX_ERROR_SHARE: expected a number"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "GC_THRESHOLD=x"],
     "GC_THRESHOLD: expected a whole number"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "GC_THRESHOLD=-5"],
     "GC_THRESHOLD: expected a whole number of at least 0"),
    (["crawl", "wordpress", "http://127.0.0.1:9/", "-s", "PARSE_WORKERS=²"],
     "PARSE_WORKERS: expected a whole number"),
    (["crawl", "wordpress", "http://[::1/"], "not an absolute http(s) URL"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    db = tmp_path / "corpus.db"
    result = run_cli(*args, "--db", str(db))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_a_database_path_that_cannot_be_created_exits_3(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("crawl", "wordpress", "http://127.0.0.1:9/", "--db", str(blocker / "x.db"))
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert blocker.read_text() == "not a folder"


def test_a_folder_given_as_database_is_refused(tmp_path):
    result = run_cli("crawl", "wordpress", "http://127.0.0.1:9/", "--db", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr


def test_a_file_that_is_not_a_database_exits_3_and_is_left_untouched(tmp_path):
    db = tmp_path / "corpus.db"
    db.write_bytes(b"not a database, but someone's file")
    result = run_cli("crawl", "wordpress", "http://127.0.0.1:9/", "--db", str(db))
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [f"Error: {db} is not a SQLite database"]
    assert db.read_bytes() == b"not a database, but someone's file"


def test_a_newer_schema_exits_3_and_is_left_untouched(tmp_path):
    db = tmp_path / "corpus.db"
    with sqlite3.connect(db) as conn:  # a corpus of a newer crawler
        conn.execute(f"pragma application_id = {APPLICATION_ID}")
        conn.execute("pragma user_version = 999")
    before = db.read_bytes()
    result = run_cli("crawl", "wordpress", "http://127.0.0.1:9/", "--db", str(db))
    assert result.returncode == 3
    assert "newer than this crawler" in result.stderr
    assert db.read_bytes() == before


def test_crawl_from_the_home_page_finds_every_article(sample_site: RunningSite, tmp_path):
    db = tmp_path / "home.db"
    result = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db), *LOOPBACK)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        urls = {row[0] for row in conn.execute("select url from articles")}
    assert urls == {a["url"] for a in sample_site.truth["articles"]}


def test_demo_prints_its_summary_and_matches_the_truth(tmp_path):
    result = run_cli("demo", "--articles", "60", "--db", str(tmp_path / "demo.db"))
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for label in ("articles stored:", "duplicates merged:", "links prev:", "links next:",
                  "links read_also:", "pages/s", "elapsed:"):
        assert label in out
    assert "corpus equals the sample site's truth" in out
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
    assert f"articles stored:    {stored}" in out and stored == 60


def test_a_second_run_on_a_locked_database_exits_4_at_once(sample_site: RunningSite, tmp_path):
    db = tmp_path / "corpus.db"
    with RunLock(db):
        result = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db),
                         *LOOPBACK)
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [
        f"Error: another run holds {db}.lock (pid {os.getpid()})"]


def test_scrapy_crawl_on_a_locked_database_stops_with_reason_locked(sample_site, tmp_path):
    db = tmp_path / "corpus.db"
    with RunLock(db):
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "janoubia",
             "-a", f"start_urls={sample_site.origin}/", "-s", f"CORPUS_DB={db}", *LOOPBACK],
            capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1])
    assert f"another run holds {db}.lock (pid {os.getpid()}): this crawl stops" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == 0


def test_runs_and_stats_report_what_a_crawl_did(sample_site: RunningSite, tmp_path):
    db = tmp_path / "corpus.db"
    assert run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db),
                   *LOOPBACK).returncode == 0
    runs = run_cli("runs", "--db", str(db))
    assert runs.returncode == 0
    header, row = runs.stdout.strip().splitlines()
    assert header.split()[:4] == ["id", "started", "took", "profile"]
    stored = len(sample_site.truth["articles"])
    cells = row.split()
    assert cells[0] == "1" and cells[3] == "janoubia" and str(stored) in cells
    assert cells[-2:] == ["finished", "0"]
    stats = run_cli("stats", "--db", str(db))
    assert stats.returncode == 0
    assert f"articles: {stored}" in stats.stdout
    assert "read_also:" in stats.stdout and "coverage:" in stats.stdout


def test_reading_commands_do_not_create_a_database(tmp_path):
    for command in ("runs", "stats"):
        result = run_cli(command, "--db", str(tmp_path / "none.db"))
        assert result.returncode == 2
        assert result.stderr.strip() == f"Error: no corpus at {tmp_path / 'none.db'}"
    assert not (tmp_path / "none.db").exists()


def test_a_crawl_that_ends_early_exits_1(sample_site: RunningSite, tmp_path):
    db = tmp_path / "corpus.db"
    result = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db), *LOOPBACK,
                     "-s", "CLOSESPIDER_PAGECOUNT=3")
    assert result.returncode == 1
    assert "the crawl ended early (closespider_pagecount)" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select exit_status from runs").fetchall() == [(1,)]


def test_a_run_with_too_many_failed_fetches_is_degraded_and_exits_5(sample_site, tmp_path):
    db = tmp_path / "corpus.db"
    missing = [f"{sample_site.origin}/2001/01/01/missing-{i}/" for i in range(4)]
    result = run_cli("crawl", "janoubia", sample_site.origin + "/", *missing, "--db", str(db),
                     *LOOPBACK, "-s", "RUNS_MAX_ERROR_SHARE=0.01")
    assert result.returncode == 5, result.stderr[-2000:]
    assert "4 of" in result.stderr and "fetches failed" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select failed, exit_status from runs").fetchall() == [(4, 5)]
        errors = conn.execute("select requested_url, status, error from fetches "
                              "where error is not null order by requested_url").fetchall()
    assert [(url, status) for url, status, _ in errors] == [(u, 404) for u in sorted(missing)]


def test_progress_line_on_a_terminal_only(sample_site: RunningSite, tmp_path):
    import pty

    db = tmp_path / "corpus.db"
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "janoubia", sample_site.origin + "/",
         "--db", str(db), *LOOPBACK, "-s", "PROGRESS_INTERVAL=0.2"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    assert re.search(rb"\r\x1b\[K(posts \d+/\d+.*  )?pages \d+ \(\d+/s\)", seen)
    quiet = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db), *LOOPBACK)
    assert quiet.returncode == 0 and "\r" not in quiet.stderr and "/s)" not in quiet.stderr


NO_SERVER_EXTENSIONS = """
import sys
from scrapy.crawler import Crawler
from scrapy.utils.reactor import install_reactor
from crawler.runsettings import project_settings
from spiders.janoubia import JanoubiaSpider
settings = project_settings("x.db")
install_reactor(settings["TWISTED_REACTOR"])
crawler = Crawler(JanoubiaSpider, settings)
crawler._apply_settings()
print(sorted(type(e).__name__ for e in crawler.extensions.middlewares))
print("aiohttp" in sys.modules, "twisted.conch" in sys.modules)
"""


DOWNLOADER_MIDDLEWARES = """
import sys
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.crawler import Crawler
from scrapy.utils.reactor import install_reactor
from crawler.runsettings import project_settings
from spiders.janoubia import JanoubiaSpider
settings = project_settings("x.db", sys.argv[1:])
install_reactor(settings["TWISTED_REACTOR"])
crawler = Crawler(JanoubiaSpider, settings)
crawler._apply_settings()
manager = DownloaderMiddlewareManager.from_crawler(crawler)
print(sorted(type(m).__name__ for m in manager.middlewares))
print("tldextract" in sys.modules)
"""


@pytest.mark.parametrize(("overrides", "cookies"), [([], False),
                                                     (["COOKIES_ENABLED=True"], True)])
def test_the_cookies_middleware_is_loaded_only_with_cookies_on(tmp_path, overrides, cookies):
    # Off (our default), Scrapy would still import it, and tldextract and requests with it.
    out = subprocess.run([sys.executable, "-c", DOWNLOADER_MIDDLEWARES, *overrides],
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert "RobotsTxtMiddleware" in out[0] and "ContactUserAgentMiddleware" in out[0]
    assert ("CookiesMiddleware" in out[0]) is cookies
    assert out[1] == str(cookies)


def test_a_crawl_loads_no_extension_that_serves_a_port(tmp_path):
    # Scrapy's telnet console and remote control run code sent to a port; importing
    # them costs start-up their server stacks even when disabled.
    out = subprocess.run([sys.executable, "-c", NO_SERVER_EXTENSIONS], cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert "RunRecorder" in out[0] and "Telnet" not in out[0] and "Remote" not in out[0]
    assert out[1] == "False False"
