"""Meta-tests: every setting and command is documented once, and doctests pass."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import crawler.settings
from crawler.cli import main

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Our own settings: everything in crawler/settings.py that Scrapy does not define.
OWN_SETTINGS = ["CORPUS_DB", "GC_THRESHOLD", "CRAWLER_CONTACT", "SITE_TIMEZONE",
                "STORE_BATCH_SIZE", "VALIDATE_MIN_WORDS", "VALIDATE_DEFAULT_LANGUAGE",
                "INCREMENTAL_ENABLED",
                "INCREMENTAL_KNOWN_STREAK", "RUNS_ENABLED", "RUNS_LOCK_HELD",
                "RUNS_MAX_ERROR_SHARE", "RUNS_MIN_COVERAGE_RATIO", "PROGRESS_ENABLED",
                "PROGRESS_INTERVAL", "RETRY_BACKOFF_BASE", "RETRY_BACKOFF_MAX", "RETRY_AFTER_MAX",
                "BRIDGE_MAX_PAGES", "ENCODING_ENABLED", "INTEGRITY_ENABLED",
                "DISCOVERY_SITEMAPS", "DISCOVERY_FEEDS", "DISCOVERY_ARCHIVES",
                "DISCOVERY_ARCHIVE_MAX_PAGES", "STORE_FLUSH_SECONDS", "PARSE_WORKERS"]


def test_own_settings_are_exactly_those_scrapy_lacks():
    from scrapy.settings import default_settings

    ours = {name for name in dir(crawler.settings) if name.isupper()}
    assert sorted(ours - set(dir(default_settings))) == sorted(OWN_SETTINGS)


@pytest.mark.parametrize("name", OWN_SETTINGS)
def test_every_own_setting_is_documented(name):
    assert f"`{name}`" in README
    assert name in (crawler.settings.__doc__ or "")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_documented(command):
    assert re.search(rf"crawler {command}\b", README)
    assert main.commands[command].help


def test_quick_start_has_the_demo_and_test_commands():
    start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "crawler demo" in start and "pytest" in start
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.findall(r"```sh\n(.*pytest.*)\n```", start)[0]
    assert test_command in ci.splitlines()


@pytest.mark.parametrize("module", ["crawler.text", "crawler.urls", "crawler.loaders",
                                    "crawler.dates", "crawler.wprest", "crawler.sitemaps",
                                    "crawler.bridge", "crawler.retry", "crawler.extract",
                                    "crawler.shortlinks"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
