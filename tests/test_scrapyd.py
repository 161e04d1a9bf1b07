"""Deployment to a real scrapyd: upload the project egg with scrapyd-deploy, schedule a crawl
of the sample site through the JSON API, and check the corpus it wrote."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.samplesite import generate
from tests.conftest import RunningSite, start_sample_site, stop_sample_site

ROOT = Path(__file__).parents[1]
PROJECT = "crawler"
VERSION = "1"
# Files besides the packages that building the egg reads.
BUILD_FILES = ("pyproject.toml", "README.md", "scrapy.cfg")
STARTUP_SECONDS = 30
CRAWL_SECONDS = 90


@dataclass
class Scrapyd:
    """A scrapyd child process and the directory it runs in."""

    url: str
    home: Path
    proc: subprocess.Popen

    def log(self) -> str:
        """The end of scrapyd's own log, for failure messages."""
        return (self.home / "scrapyd.log").read_text(encoding="utf-8", errors="replace")[-3000:]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrapyd_conf(port: int) -> str:
    """A scrapyd.conf keeping every file scrapyd writes in its working directory."""
    return (f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\n"
            "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
            "max_proc = 2\npoll_interval = 0.2\n")


def api(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Call a scrapyd JSON endpoint: GET with no *data*, else a form POST."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(base + endpoint, data=body, timeout=30) as response:
        answer = json.load(response)
    assert answer.get("status") == "ok", answer
    return answer


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Call *check* until it returns something true, for at most *seconds*."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    pytest.fail(f"{what}: nothing after {seconds} s")


def daemon_status(server: Scrapyd) -> dict[str, Any] | None:
    """daemonstatus.json, or None while scrapyd does not answer yet."""
    assert server.proc.poll() is None, f"scrapyd exited early:\n{server.log()}"
    try:
        return api(server.url, "daemonstatus.json")
    except (urllib.error.URLError, ConnectionError):
        return None


def project_copy(dest: Path, url: str) -> Path:
    """Copy what the egg is built from into *dest*, its deploy target pointed at *url*."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {name.split(".")[0] for name in config["tool"]["setuptools"]["packages"]}
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in sorted(packages):
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    for name in BUILD_FILES:
        shutil.copy2(ROOT / name, dest / name)
    cfg = configparser.RawConfigParser()
    cfg.read(dest / "scrapy.cfg", encoding="utf-8")
    assert cfg.get("deploy:local", "project") == PROJECT
    cfg.set("deploy:local", "url", url)
    with (dest / "scrapy.cfg").open("w", encoding="utf-8") as f:
        cfg.write(f)
    return dest


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a child started in its own session, with any crawl it launched."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    """A scrapyd on 127.0.0.1 whose config, eggs, logs and queues live in a temporary dir."""
    home = tmp_path_factory.mktemp("scrapyd")
    port = free_port()
    (home / "scrapyd.conf").write_text(scrapyd_conf(port), encoding="utf-8")
    # HOME too, so no ~/.scrapyd.conf or ~/.scrapy.cfg of this machine overrides ours.
    env = {**os.environ, "HOME": str(home)}
    with (home / "scrapyd.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "scrapyd", "--pidfile="], cwd=home,
                                env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Scrapyd(f"http://127.0.0.1:{port}/", home, proc)
    try:
        wait_for(lambda: daemon_status(server), STARTUP_SECONDS, "daemonstatus.json")
        yield server
    finally:
        stop_group(proc)


@pytest.fixture(scope="module")
def deployed(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``scrapyd-deploy local`` in a copy of the project; return the egg scrapyd stored."""
    source = project_copy(tmp_path_factory.mktemp("project"), scrapyd.url)
    result = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "local", "-v", VERSION],
        cwd=source, env={**os.environ, "HOME": str(scrapyd.home)},
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-1000:]
    return scrapyd.home / "eggs" / PROJECT / f"{VERSION}.egg"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    """A small sample site (40 articles, seed 2) served by a child process."""
    proc, running = start_sample_site(tmp_path_factory.mktemp("site"), 40, 2)
    try:
        yield running
    finally:
        stop_sample_site(proc)


@dataclass
class Job:
    """A finished scrapyd job: its corpus and its log."""

    db: Path
    log: str


@pytest.fixture(scope="module")
def crawl_job(scrapyd: Scrapyd, deployed: Path, site: RunningSite,
              tmp_path_factory: pytest.TempPathFactory) -> Job:
    """Schedule ``janoubia`` from the middle article and wait until scrapyd says it finished."""
    db = tmp_path_factory.mktemp("corpus") / "corpus.db"
    start = generate(site.articles, site.seed).middle_article(site.origin)
    job = api(scrapyd.url, "schedule.json", [
        ("project", PROJECT), ("spider", "janoubia"), ("start_urls", start),
        ("setting", f"CORPUS_DB={db}"), ("setting", "AUTOTHROTTLE_ENABLED=0"),
        ("setting", "DOWNLOAD_DELAY=0"), ("setting", "CONCURRENT_REQUESTS_PER_DOMAIN=16"),
    ])["jobid"]

    def finished() -> bool:
        jobs = api(scrapyd.url, f"listjobs.json?project={PROJECT}")
        return any(j["id"] == job for j in jobs["finished"])

    wait_for(finished, CRAWL_SECONDS, f"job {job} in listjobs.json finished")
    log = scrapyd.home / "logs" / PROJECT / "janoubia" / f"{job}.log"
    return Job(db, log.read_text(encoding="utf-8", errors="replace"))


def test_scrapyd_answers_on_loopback(scrapyd):
    status = api(scrapyd.url, "daemonstatus.json")
    assert (status["running"], status["pending"]) == (0, 0)


def test_deploy_stores_an_egg_with_the_project_and_its_settings(deployed, scrapyd):
    assert PROJECT in api(scrapyd.url, "listprojects.json")["projects"]
    with zipfile.ZipFile(deployed) as egg:
        names = set(egg.namelist())
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
    for module in ("crawler/settings.py", "crawler/samplesite/__main__.py",
                   "spiders/janoubia.py", "pipelines/store.py"):
        assert module in names
    groups = configparser.ConfigParser()
    groups.read_string(entry_points)
    assert groups.get("scrapy", "settings") == "crawler.settings"


def test_deployed_project_lists_its_spiders(deployed, scrapyd):
    spiders = api(scrapyd.url, f"listspiders.json?project={PROJECT}")["spiders"]
    assert {"article", "janoubia", "wordpress"} <= set(spiders)


def test_scheduled_crawl_finishes(crawl_job):
    assert "Spider closed (finished)" in crawl_job.log, crawl_job.log[-3000:]


def test_scheduled_crawl_stores_every_truth_article_once(crawl_job, site):
    assert crawl_job.db.exists(), crawl_job.log[-3000:]
    with closing(sqlite3.connect(crawl_job.db)) as conn:
        stored = sorted(url for (url,) in conn.execute("select url from articles"))
    assert stored == sorted(a["url"] for a in site.truth["articles"])
