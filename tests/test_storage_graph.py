"""Aliases and links: recorded with their reasons and roles, replaced, resolved to
articles, and redirects recorded as aliases."""

from __future__ import annotations

import pytest

from crawler.errors import StorageError
from crawler.storage import Corpus, SaveCounts
from tests.storage_items import SITE, aliases, article, fetch, link, links, rows, url

# -- aliases ---------------------------------------------------------------------------


def test_aliases_are_recorded_with_reasons(corpus: Corpus) -> None:
    corpus.save([article("b")])
    shortlink = f"{SITE}/?p=123"
    item = article("a", aliases=[shortlink, f"{SITE}/old-slug/", url("a"), url("b"),
                                 {"url": f"{SITE}/amp/", "reason": "canonical"}])
    assert corpus.save([item]).aliases == 3
    assert aliases(corpus) == {
        (shortlink, url("a"), "shortlink"),
        (f"{SITE}/old-slug/", url("a"), "redirect"),
        (f"{SITE}/amp/", url("a"), "canonical"),
    }


def test_an_alias_that_becomes_an_article_is_no_alias(corpus: Corpus) -> None:
    corpus.save([article("a", aliases=[url("b")])])
    assert aliases(corpus) == {(url("b"), url("a"), "redirect")}
    corpus.save([article("b")])
    assert aliases(corpus) == set()


def test_saving_aliases_twice_counts_once(corpus: Corpus) -> None:
    item = article("a", aliases=[f"{SITE}/?p=1"])
    assert corpus.save([item]).aliases == 1
    assert corpus.save([item]).aliases == 0
    assert corpus.counts()["aliases"] == 1


# -- links -----------------------------------------------------------------------------


def test_links_are_replaced_deduplicated_and_never_self(corpus: Corpus) -> None:
    corpus.save([article("a", links=[link("b"), link("c", "read_also", "label")])])
    item = article("a", links=[link("c", "read_also", "label"), link("d", "prev"),
                               link("d", "prev", "class"), link("a", "next")])
    assert corpus.save([item]).links == 1
    assert links(corpus) == {(url("a"), url("c"), "read_also"), (url("a"), url("d"), "prev")}
    assert rows(corpus, "SELECT rule FROM links WHERE role = 'prev'") == [("rel",)]


def test_an_unknown_link_role_is_refused(corpus: Corpus) -> None:
    with pytest.raises(StorageError, match="CHECK constraint failed"):
        corpus.save([article("a", links=[link("b", "sidebar")])])


def test_resolve_links_points_at_articles(corpus: Corpus) -> None:
    short = f"{SITE}/?p=2"
    corpus.save([
        article("b", aliases=[short]),
        # a links to b twice for the same role: once by alias, once directly.
        article("a", links=[{"dst": short, "role": "next", "rule": "rel"}, link("b"),
                            {"dst": short, "role": "read_also", "rule": "label"}]),
        article("c", links=[link("a", "prev")]),
    ])
    # b links to itself through its own alias: dropped.
    corpus.db.execute("INSERT INTO links VALUES (?, ?, 'prev', 'rel')", [url("b"), short])
    assert corpus.resolve_links() == 1
    assert links(corpus) == {
        (url("a"), url("b"), "next"),
        (url("a"), url("b"), "read_also"),
        (url("c"), url("a"), "prev"),
    }
    assert corpus.resolve_links() == 0


# -- redirects -------------------------------------------------------------------------


def test_a_redirect_fetch_records_its_alias_before_or_after_the_article(corpus: Corpus) -> None:
    short = f"{SITE}/?p=7"
    redirect = fetch("short", status=301, alias_of={"url": short, "article_url": url("a")})
    counts = corpus.save([redirect])  # the article is still on its way
    assert counts == SaveCounts(aliases=1, fetches=1)
    corpus.save([article("a")])
    assert aliases(corpus) == {(short, url("a"), "redirect")}


def test_a_redirect_to_a_folded_in_duplicate_points_at_its_article(corpus: Corpus) -> None:
    corpus.save([article("a"), article("copy", text=article("a")["body"], duplicate_of=url("a"))])
    corpus.save([fetch("short", status=301,
                       alias_of={"url": f"{SITE}/?p=8", "article_url": url("copy")})])
    assert (f"{SITE}/?p=8", url("a"), "redirect") in aliases(corpus)


def test_a_redirect_names_no_stored_article_as_an_alias(corpus: Corpus) -> None:
    corpus.save([article("a"), article("b")])
    moved = {"url": url("b"), "article_url": url("a")}
    counts = corpus.save([fetch("b", status=301, alias_of=moved)])
    assert counts.aliases == 0 and aliases(corpus) == set()
