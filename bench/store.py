"""Items per second written by ``Corpus.save`` for a few batch sizes.

Each item has a 3 KB Arabic body, three links and one alias, like a real article.

    python bench/store.py [--items 2000] [--batch 200 --batch 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.storage import Corpus  # noqa: E402
from crawler.text import content_hash  # noqa: E402

SITE = "https://www.janoubia.com"
WORDS = "قال مصدر سياسي إن الحكومة اللبنانية ستعقد جلسة استثنائية لبحث الموازنة العامة".split()


def make_items(count: int) -> list[dict[str, Any]]:
    """*count* distinct articles of about 3 KB each, linked in a chain."""
    items = []
    for number in range(count):
        body = " ".join(WORDS[(number + i) % len(WORDS)] for i in range(560))[:3000]
        body = f"{number} {body}"
        url = f"{SITE}/2017/09/12/article-{number}/"
        items.append({
            "url": url, "title": f"عنوان {number}", "body": body,
            "published": "2017-09-12T10:05:00+03:00", "categories": ["لبنان"], "tags": [],
            "language": "ar", "word_count": len(body.split()),
            "content_hash": content_hash(f"عنوان {number}", body), "status": 200,
            "profile": "janoubia", "fetched_at": "2024-05-01T10:00:00+00:00",
            "aliases": [f"{SITE}/?p={number}"],
            "links": [
                {"dst": f"{SITE}/2017/09/12/article-{number - 1}/", "role": "prev", "rule": "rel"},
                {"dst": f"{SITE}/2017/09/12/article-{number + 1}/", "role": "next", "rule": "rel"},
                {"dst": f"{SITE}/2017/09/12/article-{number * 7 % count}/", "role": "read_also",
                 "rule": "label"},
            ],
        })
    return items


def measure(items: list[dict[str, Any]], batch: int, folder: Path) -> float:
    """Items per second saving *items* into a new corpus, *batch* per transaction."""
    with Corpus(folder / f"bench-{batch}.db") as corpus:
        started = time.perf_counter()
        for start in range(0, len(items), batch):
            corpus.save(items[start:start + batch])
        elapsed = time.perf_counter() - started
        assert corpus.counts()["articles"] == len(items)
    return len(items) / elapsed


def main() -> None:
    """Print items/s for each batch size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--batch", type=int, action="append")
    args = parser.parse_args()
    items = make_items(args.items)
    with tempfile.TemporaryDirectory() as folder:
        for batch in args.batch or [200, 1]:
            rate = measure(items, batch, Path(folder))
            print(f"batch {batch:>4}: {rate:8.0f} items/s ({args.items} items)")


if __name__ == "__main__":
    main()
