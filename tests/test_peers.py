"""``bench/peers.py``: its body-quality measures, and a real run on a tiny site."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "peers.py"


def load_script():
    """bench/peers.py as a module (bench/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_peers", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


peers = load_script()
has_read_also, word_f1, url_key = peers.has_read_also, peers.word_f1, peers.url_key


@pytest.mark.parametrize("line", [
    "إقرأ أيضا: «الحكومة تعقد جلسة»", "اقرأ أيضاً: «عنوان»", "اقرأ ايضا «عنوان»",
    "اِقْرَأْ أَيْضًا: «عنوان»", "مقالات ذات صلة", "طالع أيضاً: «عنوان»",
])
def test_read_also_lines_are_found_in_a_body(line):
    assert has_read_also(f"قال مصدر إن الجلسة تعقد غداً.\n{line}\nوأضاف المصدر.")


@pytest.mark.parametrize("body", [
    "قرأ الوزير البيان أيضا أمام النواب.", "اقرأ المزيد", "أيضا", "قد يعجبك أيضاً", "",
])
def test_other_text_is_not_read_also(body):
    assert not has_read_also(body)


def test_word_f1_counts_shared_words_once_each():
    assert word_f1("أ ب ج د", "أ ب ج د") == 1.0
    assert word_f1("أ ب ج د", "هـ و") == 0.0
    # Two of three words right, two of four found: P = 2/3, R = 1/2.
    assert word_f1("أ ب ز", "أ ب ج د") == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))
    # A repeated word counts as often as the truth has it.
    assert word_f1("أ أ أ", "أ") == pytest.approx(0.5)
    assert word_f1("", "") == 1.0 and word_f1("", "أ") == 0.0


def test_word_f1_ignores_diacritics_letter_forms_and_punctuation():
    assert word_f1("إقرأ، الحكومةُ!", "اقرا الحكومه") == 1.0


def test_url_key_matches_encodings_of_one_url():
    encoded = "http://127.0.0.1:8000/2017/01/01/%D9%84%D8%A8%D9%86%D8%A7%D9%86/"
    assert url_key(encoded) == url_key(encoded.lower()) == url_key(
        "http://127.0.0.1:8000/2017/01/01/لبنان")


def test_a_tiny_site_ours_keeps_read_also_out_and_trafilatura_runs(capsys):
    assert peers.find_trafilatura(), "trafilatura is a dependency: its command must be installed"
    results = peers.run_peers(20, 0.0)
    by_tool = {r.tool: r for r in results}
    assert list(by_tool) == ["ours", "trafilatura", "news-please"]
    ours, trafilatura = by_tool["ours"], by_tool["trafilatura"]
    assert ours.site == peers.SiteInfo(20, 0.0, ours.site.read_also) and ours.site.read_also > 0
    assert not ours.note and ours.articles == 20 and ours.pages >= 20 and ours.wall > 0
    assert ours.read_also == 0.0 and ours.f1 > 0.99
    assert not trafilatura.note and trafilatura.version
    assert trafilatura.articles == 20 and trafilatura.pages == 20
    assert 0.5 < trafilatura.f1 <= 1.0
    peers.print_peers(results)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sample site: 20 articles, seed 0, latency 0 s")
    assert lines[2].split()[:2] == ["ours", ours.version]
    assert lines[3].startswith(f"trafilatura {trafilatura.version}")


def test_repeated_runs_give_each_tool_its_median_run():
    site = peers.SiteInfo(2, 0.0, 0.0)
    runs = [peers.PeerResult("ours", site, wall=wall, cpu=wall * 2) for wall in (9.0, 7.0, 8.0)]
    median = peers.median_run(runs)
    assert (median.wall, median.cpu, median.walls) == (8.0, 16.0, [9.0, 7.0, 8.0])
    once = peers.median_run([peers.PeerResult("ours", site, wall=3.0)])
    assert (once.wall, once.walls) == (3.0, [])


@pytest.mark.parametrize("args, message", [
    (["--articles", "1"], "--articles must be 2 to 100000, not 1"),
    (["--latency", "-0.5"], "--latency must be 0 to 60 seconds"),
    (["--latency", "0", "--latency", "nan"], "--latency must be 0 to 60 seconds, not nan"),
    (["--newsplease", "no-such-python"], "--newsplease no-such-python: not a Python"),
    (["--articles", "many"], "invalid int value"),
    (["--repeat", "0"], "--repeat must be at least 1, not 0"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
