"""Articles and fetches as the pipelines hand them to the store, and ways to read a
corpus back, for the tests of crawler/storage/."""

from __future__ import annotations

from typing import Any

from crawler.storage import Corpus
from crawler.text import content_hash

SITE = "https://www.janoubia.com"


def article(slug: str, text: str | None = None, **fields: Any) -> dict[str, Any]:
    """An Article as the pipelines hand it to the store."""
    title = f"عنوان {slug}"
    body = text if text is not None else f"نص المقال {slug} " + "كلمة " * 30
    item = {
        "url": f"{SITE}/2017/09/12/{slug}/",
        "title": title,
        "author": "كاتب",
        "published": "2017-09-12T10:05:00+03:00",
        "published_raw": "12 أيلول 2017",
        "categories": ["لبنان", "سياسة"],
        "tags": ["حزب"],
        "body": body,
        "language": "ar",
        "word_count": len(body.split()),
        "content_hash": content_hash(title, body),
        "status": 200,
        "profile": "janoubia",
        "fetched_at": "2024-05-01T10:00:00+00:00",
        "aliases": [],
        "links": [],
    }
    item.update(fields)
    return item


def url(slug: str) -> str:
    return f"{SITE}/2017/09/12/{slug}/"


def link(slug: str, role: str = "next", rule: str = "rel") -> dict[str, str]:
    return {"dst": url(slug), "role": role, "rule": rule}


def rows(corpus: Corpus, sql: str, params: Any = ()) -> list[tuple]:
    return [tuple(row) for row in corpus.db.execute(sql, params).fetchall()]


def aliases(corpus: Corpus) -> set[tuple[str, str, str]]:
    return set(rows(corpus, "SELECT url, article_url, reason FROM aliases"))


def links(corpus: Corpus) -> set[tuple[str, str, str]]:
    return set(rows(corpus, "SELECT src, dst, role FROM links"))


PAGE = ("<html><body>" + "<p>نص المقال الطويل</p>" * 400 + "</body></html>").encode()


def fetch(slug: str, **fields: Any) -> dict[str, Any]:
    """A fetch record as the spider makes it."""
    record = {
        "requested_url": url(slug), "final_url": url(slug), "status": 200,
        "etag": f'"{slug}-1"', "last_modified": "Tue, 12 Sep 2017 07:05:00 GMT",
        "content_type": "text/html; charset=UTF-8", "body": PAGE, "link_role": "next",
        "link_src": url("src"), "fetched_at": "2024-05-01T10:00:00+00:00",
    }
    record.update(fields)
    return record


def fetch_rows(corpus: Corpus) -> list[dict[str, Any]]:
    return list(corpus.db.query("SELECT * FROM fetches ORDER BY id"))


def revisions(corpus: Corpus) -> list[dict[str, Any]]:
    return list(corpus.db.query("SELECT * FROM revisions ORDER BY id"))
