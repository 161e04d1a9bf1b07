"""``crawler bench`` through the real command line, and the sample site's ``--latency``."""

from __future__ import annotations

import http.client
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
