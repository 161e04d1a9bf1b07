"""What the crawl reads: known URLs, the frontier, chain ends, validators, stored
links and copies of a text, each looked up by index."""

from __future__ import annotations

from crawler.storage import Corpus
from tests.storage_items import SITE, article, fetch, link, url


def test_copies_of_a_hash_and_count_of_hashes(corpus: Corpus) -> None:
    a, b = article("a"), article("b", published=None)
    corpus.save([a, b])
    assert corpus.copies_of(a["content_hash"]) == [(a["url"], a["published"])]
    assert corpus.copies_of(b["content_hash"]) == [(b["url"], None)]
    assert corpus.copies_of("0" * 64) == []
    assert corpus.count_hashes() == 2


def test_is_known_by_article_or_alias(corpus: Corpus) -> None:
    corpus.save([article("a", aliases=[f"{SITE}/?p=1"], links=[link("b")])])
    assert corpus.is_known(url("a")) and corpus.is_known(f"{SITE}/?p=1")
    assert not corpus.is_known(url("b"))
    assert not corpus.is_known(url("a").rstrip("/"))


def test_pending_is_what_stored_articles_link_to_and_is_not_stored(corpus: Corpus) -> None:
    corpus.save([
        article("a", links=[link("b"), link("c", "read_also", "label"), link("z", "prev")]),
        article("b", links=[link("a", "prev"), link("c"), {"dst": f"{SITE}/?p=9",
                                                            "role": "next", "rule": "rel"}]),
        article("x", aliases=[f"{SITE}/?p=9"]),
    ])
    assert corpus.pending_urls() == [url("c"), url("z")]
    corpus.save([article("c", links=[link("b", "prev")])])
    assert corpus.pending_urls() == [url("z")]


def test_chain_ends_are_chain_articles_missing_a_next_or_a_prev_link(corpus: Corpus) -> None:
    corpus.save([
        article("old", links=[link("mid")]),
        article("mid", links=[link("old", "prev"), link("new")]),
        article("new", links=[link("mid", "prev"), link("x", "read_also", "label")]),
        article("lone"),
    ])
    # "lone" is on no chain (reached by read-also alone): not an end of one.
    assert corpus.chain_ends() == [(url("new"), "next"), (url("old"), "prev")]
    # The site publishes: the newest article gains a next link and is an end no more.
    corpus.save([article("new", links=[link("mid", "prev"), link("newer")])])
    assert (url("new"), "next") not in corpus.chain_ends()


def test_validators_come_from_the_newest_successful_fetch(corpus: Corpus) -> None:
    assert corpus.validators(url("a")) is None
    redirected = fetch("a", requested_url=f"{SITE}/?p=1", etag='"v1"')
    corpus.save([article("a", fetch=redirected)])
    assert corpus.validators(url("a")) == ('"v1"', "Tue, 12 Sep 2017 07:05:00 GMT")
    assert corpus.validators(f"{SITE}/?p=1") == ('"v1"', "Tue, 12 Sep 2017 07:05:00 GMT")
    corpus.save([fetch("a", etag='"v2"', last_modified=None)])
    corpus.save([fetch("a", status=304, etag='"v3"', body=None),
                 fetch("a", status=500, etag='"v4"', error="HttpError 500"),
                 fetch("a", status=200, etag='"v5"', error="IgnoreRequest")])
    assert corpus.validators(url("a")) == ('"v2"', None)
    corpus.save([fetch("a", etag=None, last_modified=None)])
    assert corpus.validators(url("a")) is None


def test_stored_links_in_page_order_also_through_an_alias(corpus: Corpus) -> None:
    corpus.save([article("a", aliases=[f"{SITE}/?p=1"],
                         links=[link("z", "prev"), link("b"), link("c", "read_also", "label")])])
    expected = [(url("z"), "prev"), (url("b"), "next"), (url("c"), "read_also")]
    assert corpus.stored_links(url("a")) == expected
    assert corpus.stored_links(f"{SITE}/?p=1") == expected
    assert corpus.stored_links(url("b")) == []


def test_lookups_use_indexes(corpus: Corpus) -> None:
    def plan(sql: str) -> str:
        return " | ".join(r[3] for r in corpus.db.execute("EXPLAIN QUERY PLAN " + sql,
                                                           {"url": "u"}))
    known = plan("SELECT EXISTS (SELECT 1 FROM articles WHERE url = :url)"
                 " OR EXISTS (SELECT 1 FROM aliases WHERE url = :url)")
    validators = plan("SELECT etag FROM fetches WHERE (final_url = :url OR requested_url = :url)"
                      " AND status = 200 AND error IS NULL ORDER BY id DESC LIMIT 1")
    for text in (known, validators):
        assert "SCAN" not in text.replace("SCAN CONSTANT ROW", ""), text
    assert "idx_fetches_final_url" in validators and "idx_fetches_requested_url" in validators
