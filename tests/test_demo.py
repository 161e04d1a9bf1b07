"""``crawler demo``: it writes only to a new file or a demo corpus of its own, respects
the run lock, and says so when its crawl was stopped."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.demo import DemoResult, print_summary
from crawler.storage import Corpus
from tests.conftest import LOOPBACK, run_cli
from tests.test_storage_identity import (
    URL,
    listing,
    old_corpus,
    other_database,
    written_by_a_killed_crawl,
)
from tests.test_storage_runs import hold

REFUSAL = ": the demo writes only to a new file or to a demo corpus it made; give another --db"


def sha256(*paths: Path) -> list[str]:
    return [hashlib.sha256(path.read_bytes()).hexdigest() for path in paths]


def real_corpus(path: Path, runs: int = 5) -> None:
    """A corpus a crawl made: articles and *runs* runs."""
    with Corpus(path) as corpus:
        for number in range(runs):
            run = corpus.start_run("janoubia", ["https://www.janoubia.com/"])
            corpus.save([{"url": f"{URL}{number}/", "title": "t"}], run_id=run)
            corpus.finish_run(run, fetched=1, new=1, finish_reason="finished", exit_status=0)


def made_by(path: Path) -> str | None:
    with Corpus(path, readonly=True) as corpus:
        return corpus.meta().get("made_by")


def test_a_real_corpus_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    real_corpus(db)
    before = sha256(db)
    result = run_cli("demo", "--articles", "20", "--db", str(db))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        f"Error: {db} is not a corpus `crawler demo` made (older versions left no mark): "
        "the demo replaces only its own; remove it or give another --db"]
    assert sha256(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.db"]  # no side files
    with Corpus(db, readonly=True) as corpus:
        assert len(corpus.runs()) == 5


@pytest.mark.parametrize(("make", "says"), [
    (lambda p: p.write_text("my notes\n"), "is not a SQLite database"),
    (lambda p: p.write_bytes(os.urandom(4096)), "is not a SQLite database"),
    (lambda p: p.touch(), "holds no corpus"),
    (other_database, "is not a corpus of this crawler (it holds tables notes, tags)"),
], ids=["text", "random bytes", "empty", "other application"])
def test_a_file_that_is_no_corpus_is_refused_untouched(tmp_path: Path, make, says) -> None:
    db = tmp_path / "demo.db"
    make(db)
    before = db.read_bytes()
    result = run_cli("demo", "--articles", "20", "--db", str(db))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [f"Error: {db} {says}{REFUSAL}"]
    assert db.read_bytes() == before
    assert listing(tmp_path) == ["demo.db"]  # not even a lock file beside it


def test_a_demo_corpus_of_before_the_mark_is_refused(tmp_path: Path) -> None:
    # A corpus the demo made before corpora carried meta is a corpus like any other.
    db = tmp_path / "demo.db"
    old_corpus(db, 2)
    before = sha256(db)
    result = run_cli("demo", "--articles", "20", "--db", str(db))
    assert result.returncode == 3 and "older versions left no mark" in result.stderr
    assert sha256(db) == before


def test_a_corpus_a_crawl_is_writing_is_left_alone_with_exit_4(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    real_corpus(db)
    holder = hold(db)  # a crawl in another process: the lock, and commits in the -wal only
    try:
        written_by_a_killed_crawl(db)
        files = [db, Path(f"{db}-wal")]
        before = sha256(*files)
        result = run_cli("demo", "--articles", "20", "--db", str(db))
        assert result.returncode == 4
        assert result.stderr.splitlines() == [
            f"Error: another run holds {db}.lock (pid {holder.pid})"]
        assert sha256(*files) == before
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    with Corpus(db, readonly=True) as corpus:
        assert corpus.counts()["articles"] == 6  # the five runs' and the killed crawl's


def test_a_demo_corpus_a_crawl_wrote_into_is_not_replaced(sample_site, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run_cli("demo", "--articles", "5", "--db", str(db)).returncode == 0
    crawl = run_cli("crawl", "janoubia", sample_site.origin + "/", "--db", str(db), *LOOPBACK)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    before = sha256(db)
    result = run_cli("demo", "--articles", "5", "--db", str(db))
    assert result.returncode == 3
    assert "1 later run(s) wrote into it: not replaced" in result.stderr
    assert sha256(db) == before
    with Corpus(db, readonly=True) as corpus:
        assert corpus.counts()["articles"] >= sample_site.articles  # nothing lost


def test_a_demo_corpus_is_marked_and_replaced_by_the_next_demo(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = run_cli("demo", "--articles", "20", "--db", str(db))
    assert first.returncode == 0, first.stderr[-2000:]
    assert made_by(db) == "crawler demo"
    # The last demo was killed with commits in its -wal: they go with it.
    written_by_a_killed_crawl(db)
    second = run_cli("demo", "--articles", "30", "--seed", "1", "--db", str(db))
    assert second.returncode == 0, second.stderr[-2000:]
    assert "corpus equals the sample site's truth" in second.stdout
    assert made_by(db) == "crawler demo"
    with Corpus(db, readonly=True) as corpus:
        assert corpus.counts()["articles"] == 30 and not corpus.is_known(URL + "killed/")
        assert len(corpus.runs()) == 1


def test_a_demo_corpus_another_demo_holds_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert run_cli("demo", "--articles", "20", "--db", str(db)).returncode == 0
    before = sha256(db)
    holder = hold(db)
    try:
        result = run_cli("demo", "--articles", "20", "--db", str(db))
    finally:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    assert result.returncode == 4 and "another run holds" in result.stderr
    assert sha256(db) == before


def stopped_result(tmp_path: Path, stats: dict) -> DemoResult:
    return DemoResult(stats=stats, articles=3, duplicates=0,
                      links={"prev": 2, "next": 2, "read_also": 1}, db=tmp_path / "demo.db",
                      differences=[])


@pytest.mark.parametrize("stats", [{"finish_reason": "shutdown"},
                                   {"finish_reason": "forced_stop"}, {}],
                         ids=["Ctrl-C", "forced stop", "no finish reason"])
def test_a_stopped_demo_says_so_and_compares_nothing(tmp_path: Path, stats, capsys) -> None:
    result = stopped_result(tmp_path, {**stats, "response_received_count": 5})
    assert result.stopped and not result.ok
    print_summary(result, elapsed=1.0)
    out = capsys.readouterr().out
    assert (f"stopped before the crawl finished: 3 articles kept in {tmp_path / 'demo.db'}; "
            "run `crawler demo` again for the whole site") in out.splitlines()
    assert "differs" not in out and "equals" not in out


@pytest.mark.parametrize("reason", ["finished", "closespider_timeout"])
def test_a_demo_that_ran_to_an_end_is_compared(tmp_path: Path, reason: str, capsys) -> None:
    result = stopped_result(tmp_path, {"finish_reason": reason})
    result.differences = ["missing article x"]
    assert not result.stopped and not result.ok
    print_summary(result, elapsed=1.0)
    out = capsys.readouterr().out
    assert "differs from the sample site's truth in 1 ways" in out and "stopped" not in out


def stored(db: Path) -> int:
    """Articles committed in *db* so far (0 while it cannot be read yet)."""
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_ctrl_c_stops_the_demo_with_what_it_kept(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    demo = subprocess.Popen([sys.executable, "-m", "crawler", "demo", "--articles", "2000",
                             "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 60
        # The crawl is under way (Scrapy's Ctrl-C handler installed) once articles arrive.
        while stored(db) == 0 and demo.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        demo.send_signal(signal.SIGINT)
        out, err = demo.communicate(timeout=120)
    finally:
        demo.kill()
        demo.wait(timeout=10)
    assert demo.returncode == 1, err[-2000:]
    kept = stored(db)
    assert 0 < kept < 2000
    assert (f"stopped before the crawl finished: {kept} articles kept in {db}; run `crawler "
            "demo` again for the whole site") in out.splitlines()
    assert "finish reason:      shutdown" in out
    assert "differs" not in out and "Traceback" not in err
    assert made_by(db) == "crawler demo"  # so the next demo replaces it
