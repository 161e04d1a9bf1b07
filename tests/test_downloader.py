"""The downloader holds each host to CONCURRENT_REQUESTS_PER_DOMAIN, however many
requests the crawl as a whole may have in flight."""

from __future__ import annotations

import pytest

from crawler.samplesite import generate, serve
from tests.conftest import LOOPBACK, query, run_cli


@pytest.mark.parametrize("per_host", [2, 5])
def test_a_host_never_has_more_requests_at_once_than_its_limit(tmp_path, per_host):
    # Every answer waits, so requests overlap; the crawl may have 16 in flight in all.
    site = generate(40, seed=2)
    db = tmp_path / "corpus.db"
    with serve(site, latency=0.05) as server:
        result = run_cli("crawl", "janoubia", server.origin + "/", "--db", str(db), *LOOPBACK,
                         "-s", "CONCURRENT_REQUESTS=16",
                         "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}")
        most = server.most_concurrent
    assert result.returncode == 0, result.stderr
    assert query(db, "select count(*) from articles") == [(40,)]
    # The limit is reached (the crawl fans out), never passed.
    assert most == per_host
