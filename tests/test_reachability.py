"""A site that cannot be reached: the middleware alone, then real crawls of a closed port."""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError, TCPTimedOutError

from crawler.errors import HostUnreachable
from crawler.reachability import QuietNetworkErrors, ReachabilityMiddleware, network_reason
from tests.conftest import LOOPBACK, query, run_cli, start_sample_site, stop_sample_site


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("exception", "reason"), [
    (DownloadConnectionRefusedError("111"), "connection refused"),
    (ConnectionRefusedError(), "connection refused"),
    (DNSLookupError("no.such.host"), "no such host (DNS lookup failed)"),
    (CannotResolveHostError("no.such.host"), "no such host (DNS lookup failed)"),
    (TCPTimedOutError(), "timed out"),
    (ValueError("not a network failure"), None),
])
def test_network_reason(exception, reason):
    assert network_reason(exception) == reason


def middleware(after: int = 1) -> ReachabilityMiddleware:
    crawler = get_crawler(settings_dict={"UNREACHABLE_AFTER": after})
    crawler._apply_settings()
    return ReachabilityMiddleware.from_crawler(crawler)


def test_failures_are_counted_and_a_host_that_answered_is_never_unreachable():
    mw = middleware()
    for url in ("http://a.test/1", "http://b.test/1"):
        mw.process_request(Request(url))
    mw.process_response(Request("http://b.test/1"), Response("http://b.test/1"))
    mw.process_exception(Request("http://b.test/2"), DownloadConnectionRefusedError())
    assert mw.unreachable == {}
    # a.test never answered: it is unreachable, but b.test answered, so the crawl goes on
    mw.process_exception(Request("http://a.test/1"), DownloadConnectionRefusedError())
    assert mw.unreachable == {"a.test": "connection refused"}
    assert mw.crawler.stats.get_value("fetch/failed") == 2
    assert mw.crawler.stats.get_value("unreachable/message") is None


def test_other_exceptions_are_neither_counted_nor_judged():
    mw = middleware()
    mw.process_request(Request("http://a.test/1"))
    mw.process_exception(Request("http://a.test/1"), ValueError("a bug elsewhere"))
    assert mw.unreachable == {} and not mw.crawler.stats.get_value("fetch/failed")


def test_unreachable_after_counts_requests_per_host():
    mw = middleware(after=2)
    mw.process_request(Request("http://a.test/1"))
    mw.process_request(Request("http://b.test/1"))
    mw.process_exception(Request("http://a.test/1"), TCPTimedOutError())
    assert mw.unreachable == {}
    mw.process_exception(Request("http://a.test/2"), TCPTimedOutError())
    assert mw.unreachable == {"a.test": "timed out"}


def test_the_robots_record_of_a_network_failure_is_dropped():
    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            return logging.LogRecord("x", logging.ERROR, __file__, 1, "Error downloading",
                                     None, sys.exc_info())

    refused, bug = record(DownloadConnectionRefusedError("111")), record(KeyError("k"))
    assert not QuietNetworkErrors().filter(refused)  # the retry middleware said it
    assert QuietNetworkErrors().filter(bug) and bug.exc_info is not None


def crawl_closed_port(db: Path, port: int) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = run_cli("crawl", "wordpress", f"http://127.0.0.1:{port}/", "--db", str(db),
                     "-s", "LOG_LEVEL=INFO", timeout=120)
    return result, time.monotonic() - started


def assert_unreachable(result: subprocess.CompletedProcess, port: int) -> None:
    assert result.returncode == 6, result.stderr[-2000:]
    assert f"Error: cannot reach 127.0.0.1:{port}: connection refused" in result.stderr
    assert "Traceback" not in result.stderr
    assert "exit status:        6 (site unreachable)" in result.stdout
    # the summary counts what the log says failed for good, no more, no less
    gave_up = len(re.findall(r"Gave up retrying", result.stderr))
    assert f"failed fetches:     {gave_up}\n" in result.stdout and gave_up >= 1


def test_an_unreachable_site_into_a_new_corpus_is_one_line_and_exit_6(tmp_path):
    port = closed_port()
    result, elapsed = crawl_closed_port(tmp_path / "new.db", port)
    assert_unreachable(result, port)
    # one request's retries (0.5 + 1 + 2 s of backoff) and the start: not every entry page's
    assert elapsed < 30, elapsed
    assert query(tmp_path / "new.db", "select finish_reason, exit_status, failed from runs") \
        == [("unreachable", 6, 1)]


def test_an_unreachable_site_into_an_existing_corpus_is_never_exit_0(tmp_path):
    proc, site = start_sample_site(tmp_path, 20, 0)
    db = tmp_path / "corpus.db"
    try:
        first = run_cli("crawl", "wordpress", site.origin + "/", "--db", str(db), *LOOPBACK)
    finally:
        stop_sample_site(proc)
    assert first.returncode == 0, first.stderr
    port = int(site.origin.rsplit(":", 1)[1])
    result, _ = crawl_closed_port(db, port)
    assert_unreachable(result, port)
    assert query(db, "select count(*) from articles") == [(20,)]  # nothing lost
    assert query(db, "select finish_reason, exit_status from runs order by id") == [
        ("finished", 0), ("unreachable", 6)]


def test_a_host_found_unreachable_is_not_asked_again():
    mw = middleware()
    mw.process_request(Request("http://b.test/1"))  # another host: the crawl goes on
    mw.process_request(Request("http://a.test/1"))
    mw.process_exception(Request("http://a.test/1"), DownloadConnectionRefusedError())
    with pytest.raises(HostUnreachable, match="cannot reach a.test: connection refused"):
        mw.process_request(Request("http://a.test/2"))


def test_start_hosts_count_as_asked_before_their_first_request():
    mw = middleware()

    class Spider:
        start_urls = ["http://a.test/x/", "http://b.test/"]

    mw.spider_opened(Spider())  # type: ignore[arg-type]
    try:
        mw.process_exception(Request("http://a.test/wp-json/"), DownloadConnectionRefusedError())
        # b.test is still to be asked: the crawl goes on
        assert mw.unreachable == {"a.test": "connection refused"}
        assert mw.crawler.stats.get_value("unreachable/message") is None
    finally:
        mw.spider_closed(Spider())  # type: ignore[arg-type]


def test_a_dead_first_start_url_does_not_stop_the_crawl_of_the_others(sample_site, tmp_path):
    port = closed_port()
    db = tmp_path / "corpus.db"
    result = run_cli("crawl", "wordpress", f"http://127.0.0.1:{port}/a/", sample_site.origin + "/",
                     "--db", str(db), *LOOPBACK)
    assert result.returncode != 6, result.stderr[-2000:]
    assert f"cannot reach 127.0.0.1:{port}: connection refused" in result.stderr
    assert query(db, "select count(*) from articles") == [(sample_site.articles,)]
