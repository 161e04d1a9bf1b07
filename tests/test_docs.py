"""Meta-tests: every setting and command is documented once, the documented installs take
the pinned versions, every repository file the docs name exists, and doctests pass."""

from __future__ import annotations

import doctest
import importlib
import re
import tomllib
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
                "DISCOVERY_ARCHIVE_MAX_PAGES", "STORE_FLUSH_SECONDS", "PARSE_WORKERS",
                "UNREACHABLE_AFTER", "QUICKSTOP_INTERVAL"]


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


def section(title: str) -> str:
    """The README's ``## title`` section, without its heading."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_quick_start_has_the_demo_and_test_commands():
    start = section("Quick start")
    assert "crawler demo" in start and "pytest" in start
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.findall(r"```sh\n(.*pytest.*)\n```", start)[0]
    assert ci.rstrip("\n").splitlines()[-1] == test_command


def test_quick_start_installs_the_pinned_versions():
    commands = re.findall(r"```sh\n(.*)\n```", section("Quick start"))
    assert len(commands) == 2
    assert all("pip install -c constraints.txt " in command for command in commands)


def dependency_name(requirement: str) -> str:
    """The normalised project name a requirement (or a pin) starts with."""
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_constraints_pin_every_dependency_exactly():
    lines = [line.strip() for line in
             (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()]
    pins = [line for line in lines if line and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[\w.+!-]+", p) for p in pins)
    names = [dependency_name(pin) for pin in pins]
    assert len(names) == len(set(names))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    # Dependencies of dependencies are pinned too: pip freeze writes every installed package.
    assert {dependency_name(r) for r in declared} < set(names)
    assert {"twisted", "lxml", "zope-interface"} < set(names)


# Documentation that names files of this repository.
DOCS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")),
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs" / "deploy").iterdir())]


def test_project_installs_in_the_docs_use_the_pins():
    # The one exception is the upgrade of the pins, which installs the newest releases.
    texts = [README.replace(section("Dependencies"), "")]
    texts += [(ROOT / doc).read_text(encoding="utf-8") for doc in DOCS
              if doc.startswith("docs/") and doc.endswith(".md")]
    installs = [m.group(1) for text in texts
                for m in re.finditer(r"pip install ([^`&|;#\n]*)", text)]
    ours = [args for args in installs
            if re.search(r"(^|\s)'?\.(\[[\w,]+\])?'?(\s|$)", args)]
    assert len(ours) >= 5
    assert [args for args in ours if "-c constraints.txt" not in args] == []


# A path relative to the repository's root: one of its folders, then what lies in it, or one
# of its files at the top. Not a path that follows "/" (absolute ones, /opt/..., /etc/...),
# ":" (URLs) or a word.
REPO_PATH = re.compile(r"(?<![\w/.:%-])((?:\.ci|bench|crawler|docs|pipelines|spiders|tests)/"
                       r"(?:[\w./-]*\w)?|constraints\.txt|pyproject\.toml|scrapy\.cfg|README\.md)")


# A Markdown link to a file, relative to the document's folder.
LINK = re.compile(r"\]\((?![a-z]+:|#)([^)#\s]+)")


def referenced_paths(doc: str) -> set[str]:
    """The repository paths *doc* names, relative to the repository's root."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    folder = (ROOT / doc).parent
    linked = {str((folder / link).resolve().relative_to(ROOT.resolve()))
              for link in LINK.findall(text)}
    return {path.rstrip("/") for path in REPO_PATH.findall(text)} | linked


def test_referenced_paths_are_found():
    assert "docs/deployment.md" in referenced_paths("docs/deploy/arabic-news-crawler.service")
    assert {"constraints.txt", "docs/deployment.md", "crawler/profiles.py",
            "docs/deploy"} <= referenced_paths("README.md")
    assert "README.md" in referenced_paths("docs/deployment.md")  # ../README.md
    assert "crawler/janoubia" not in referenced_paths("docs/deployment.md")


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_the_docs_name_exists(doc):
    assert sorted(p for p in referenced_paths(doc) if not (ROOT / p).exists()) == []


@pytest.mark.parametrize("module", ["crawler.text", "crawler.urls", "crawler.loaders",
                                    "crawler.dates", "crawler.wprest", "crawler.sitemaps",
                                    "crawler.bridge", "crawler.retry", "crawler.extract",
                                    "crawler.shortlinks"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
