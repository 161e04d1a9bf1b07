"""``crawler bench`` through the real command line, and the sample site's ``--latency``."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from tests.conftest import run_cli

LATENCY = 0.4


def figures(output: str) -> dict[str, str]:
    """The printed ``name: value`` lines of a bench run, by name."""
    return {name.strip(): value.strip() for name, sep, value in
            (line.partition(":") for line in output.splitlines()) if sep}


def number(text: str) -> float:
    """The first number in *text*."""
    found = re.search(r"\d+(?:\.\d+)?", text)
    assert found, text
    return float(found[0])


def test_bench_prints_plausible_figures_and_bounds():
    result = run_cli("bench", "--articles", "60", "--latency", "0.01")
    assert result.returncode == 0, result.stderr
    got = figures(result.stdout)
    assert number(got["articles stored"]) == 60
    pages, wall = number(got["pages fetched"]), number(got["wall time"])
    assert pages >= 60
    assert number(got["pages/s"]) > 0
    assert abs(number(got["pages/s"]) - pages / wall) <= 0.02 * pages / wall + 0.1
    assert number(got["CPU ms per page"]) > 0
    assert 10 < number(got["peak RSS"]) < 4096
    assert number(got["DB bytes/article"]) > 1000
    assert got["finish reason"] == "finished"
    assert number(got["chain bound"]) == 0.6
    assert number(got["fan-out bound"]) == 0.075
    # Every page waits 0.01 s and at most 8 wait at once: the fan-out bound cannot be beaten.
    ratio = re.search(r"wall/bound (\d+\.\d+)", got["fan-out bound"])
    assert ratio and float(ratio[1]) >= 1


def test_bench_without_latency_prints_no_bounds():
    result = run_cli("bench", "--articles", "20", "--start", "middle")
    assert result.returncode == 0, result.stderr
    got = figures(result.stdout)
    assert number(got["articles stored"]) == 20
    assert "chain bound" not in got and "fan-out bound" not in got


def test_bench_compares_with_a_bare_spider_on_the_same_pages():
    result = run_cli("bench", "--articles", "40", "--bare")
    assert result.returncode == 0, result.stderr
    got = figures(result.stdout)
    bare = got["bare Scrapy"]
    assert number(bare) == number(got["pages fetched"])  # the very pages we fetched
    bare_rate = float(re.search(r"(\d+(?:\.\d+)?) pages/s", bare)[1])  # type: ignore[index]
    assert bare_rate > 0
    expected = number(got["pages/s"]) / bare_rate
    assert abs(number(got["ours / bare"]) - expected) <= 0.01 + 0.02 * expected


def test_bench_profile_shares_cpu_among_stages():
    result = run_cli("bench", "--articles", "40", "--profile")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("CPU by stage", 1)[1].splitlines()[1:]
    rows = [re.match(r"\s*(.+?)\s+[\d.]+ s\s+([\d.]+) %", line) for line in lines]
    shares = {row[1]: float(row[2]) for row in rows if row}
    for stage in ("store pipeline (SQLite)", "extraction (fields, body)",
                  "links (prev/next, read-also)", "dates", "Scrapy: engine, HTTP, reactor"):
        assert shares.get(stage, 0) > 0, (stage, shares)
    assert 99 <= sum(shares.values()) <= 101


def test_bench_chain_only_fetches_no_sitemap_feed_or_archive():
    fanout = figures(run_cli("bench", "--articles", "30").stdout)
    chain = run_cli("bench", "--articles", "30", "--chain-only")
    assert chain.returncode == 0, chain.stderr
    got = figures(chain.stdout)
    assert number(got["articles stored"]) == number(fanout["articles stored"]) == 30
    assert number(got["pages fetched"]) < number(fanout["pages fetched"])


def test_bench_refuses_a_bad_setting_in_one_line():
    result = run_cli("bench", "-s", "PARSE_WORKERS=many")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PARSE_WORKERS" in result.stderr and "Traceback" not in result.stderr


def test_bench_profile_without_pyinstrument_is_one_line(tmp_path):
    # A pyinstrument that cannot be imported, first on the path.
    (tmp_path / "pyinstrument.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "crawler", "bench", "--articles", "20",
                             "--profile"], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: --profile needs pyinstrument: pip install 'arabic-news-crawler[bench]'")


def test_bench_rejects_an_unknown_start():
    result = run_cli("bench", "--start", "nowhere")
    assert result.returncode == 2
    assert "--start" in result.stderr


@contextmanager
def site_with_latency(latency: str) -> Iterator[str]:
    """A sample site child started with ``--latency``; yields its origin."""
    proc = subprocess.Popen([sys.executable, "-m", "crawler.samplesite", "--articles", "5",
                             "--latency", latency, "--max-seconds", "120"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def timed_get(origin: str, took: list[float]) -> None:
    """GET the home page on a connection of its own; append how long it took."""
    conn = http.client.HTTPConnection(urlsplit(origin).netloc, timeout=10)
    started = time.monotonic()
    try:
        conn.request("GET", "/")
        assert conn.getresponse().read()
    finally:
        conn.close()
    took.append(time.monotonic() - started)


def test_sample_site_delays_every_response_by_its_latency():
    with site_with_latency(str(LATENCY)) as origin:
        took: list[float] = []
        for _ in range(2):
            timed_get(origin, took)
    assert len(took) == 2 and min(took) >= LATENCY


def test_sample_site_latency_is_per_connection():
    with site_with_latency(str(LATENCY)) as origin:
        took: list[float] = []
        threads = [threading.Thread(target=timed_get, args=(origin, took)) for _ in range(4)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    assert len(took) == 4 and min(took) >= LATENCY
    # Held one after another, four would take four latencies.
    assert elapsed < 2.5 * LATENCY


def test_sample_site_refuses_a_negative_latency():
    result = subprocess.run([sys.executable, "-m", "crawler.samplesite", "--latency", "-1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "--latency" in result.stderr
