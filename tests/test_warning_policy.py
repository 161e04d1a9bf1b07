"""The warning policy in pyproject.toml: a warning attributed to our own code fails its
test, one that third-party code raises about its own calls is only reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# Each case warns as if from one module; pytest runs them under the project's configuration.
CASES = textwrap.dedent('''
    import warnings

    def warn_from(module):
        warnings.warn_explicit("old call", DeprecationWarning, module.replace(".", "/") + ".py",
                               12, module=module)

    def test_crawler_module():
        warn_from("crawler.something")

    def test_spiders_package():
        warn_from("spiders")

    def test_pipelines_module():
        warn_from("pipelines.store")

    def test_bench_script():
        warn_from("bench_peers")

    def test_a_test_module_itself():
        warnings.warn("old call", DeprecationWarning)

    def test_scrapy_calling_w3lib():
        warn_from("scrapy.http.response.text")

    def test_a_name_that_only_starts_like_ours():
        warn_from("crawlerish.util")

    def test_user_warning_from_a_library():
        warnings.warn_explicit("odd input", UserWarning, "w3lib/url.py", 3, module="w3lib.url")
''')
FAILING = {"test_crawler_module", "test_spiders_package", "test_pipelines_module",
           "test_bench_script", "test_a_test_module_itself"}
PASSING = {"test_scrapy_calling_w3lib", "test_a_name_that_only_starts_like_ours",
           "test_user_warning_from_a_library"}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each case's outcome (PASSED or FAILED) under the project's pytest configuration."""
    folder = tmp_path_factory.mktemp("policy")
    cases = folder / "test_policy_cases.py"
    cases.write_text(CASES, encoding="utf-8")
    # PYTHONWARNINGS would stand in for the configuration's own filters.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--rootdir={ROOT}",
         "-c", str(ROOT / "pyproject.toml"), "-rA", str(cases)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    found = dict((name, outcome) for outcome, name in
                 re.findall(r"^(PASSED|FAILED) \S*::(\w+)", run.stdout, re.MULTILINE))
    assert set(found) == FAILING | PASSING, run.stdout + run.stderr
    return found


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_warning_from_our_code_fails(outcomes, name):
    assert outcomes[name] == "FAILED"


@pytest.mark.parametrize("name", sorted(PASSING))
def test_a_warning_from_third_party_code_is_only_reported(outcomes, name):
    assert outcomes[name] == "PASSED"
