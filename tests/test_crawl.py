"""End-to-end crawls of the sample site through the real command lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.samplesite import generate
from tests.conftest import LOOPBACK, RunningSite, run_cli, stored_articles
from tests.conftest import query as table

FIELDS = ("title", "author", "published", "modified", "categories", "tags", "body",
          "language", "word_count")


def middle_article(site: RunningSite) -> str:
    return generate(site.articles, site.seed).middle_article(site.origin)


def row_counts(db: Path) -> dict[str, int]:
    return {name: table(db, f"select count(*) from {name}")[0][0]
            for name in ("articles", "aliases", "links")}


@pytest.fixture(scope="module")
def crawled(sample_site: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of the sample site from the article in the middle of its chain."""
    db = tmp_path_factory.mktemp("crawl") / "corpus.db"
    result = run_cli("crawl", "janoubia", middle_article(sample_site), "--db", str(db), *LOOPBACK)
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def test_crawl_from_one_article_stores_every_article_of_the_truth(crawled, sample_site):
    stored = stored_articles(crawled)
    expected = {a["url"]: a for a in sample_site.truth["articles"]}
    assert sorted(stored) == sorted(expected)


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_equals_the_truth(crawled, sample_site, field):
    stored = stored_articles(crawled)
    wrong = {url: (stored[url][field], article[field])
             for url, article in ((a["url"], a) for a in sample_site.truth["articles"])
             if stored[url][field] != article[field]}
    assert wrong == {}


def test_links_are_exactly_the_truths_edges(crawled, sample_site):
    links = set(table(crawled, "select src, dst, role from links"))
    assert links == {tuple(link) for link in sample_site.truth["links"]}


def test_duplicates_and_shortlinks_are_kept_as_aliases(crawled, sample_site):
    aliases = dict(table(crawled, "select url, article_url from aliases"))
    for alias, target in sample_site.truth["aliases"].items():
        assert aliases.get(alias) == target, alias


def test_no_article_is_stored_twice(crawled):
    assert table(crawled, "select content_hash from articles group by content_hash "
                          "having count(*) > 1") == []


def test_no_url_is_fetched_twice_in_any_spelling(crawled, sample_site):
    # The site links articles with tracking parameters, fragments, lower-case escapes
    # and raw UTF-8: each is canonicalised before it is requested, so it is asked for once.
    from crawler.urls import SiteURLs, canonicalize_url

    site = SiteURLs.from_urls([sample_site.origin + "/"])
    requested = [url for (url,) in table(crawled, "select requested_url from fetches")]
    keys = [canonicalize_url(url, site) for url in requested]
    assert len(keys) == len(set(keys))
    assert not [url for url in requested if "utm_" in url or "fbclid" in url or "#" in url]


def test_no_page_is_downloaded_twice_through_a_redirect(crawled, sample_site):
    # Read-also links name shortlinks (?p=ID) of articles that the sitemaps list too: they
    # wait until the crawl has read those articles, which name their shortlinks, so
    # neither the redirect nor a second download of the article is asked for.
    from crawler.urls import SiteURLs, canonicalize_url

    site = SiteURLs.from_urls([sample_site.origin + "/"])
    finals = [canonicalize_url(url, site) for (url,) in table(
        crawled, "select final_url from fetches where status = 200")]
    assert len(finals) == len(set(finals))
    # A shortlink still asked for is one no other link or listing leads to: its redirect
    # is followed to that article, never answered by one read already.
    assert table(crawled, "select requested_url, status from fetches"
                          " where requested_url like '%?p=%' and status != 200") == []


def test_second_run_adds_no_rows(crawled, sample_site):
    before = row_counts(crawled)
    result = run_cli("crawl", "janoubia", middle_article(sample_site), "--db", str(crawled),
                     *LOOPBACK)
    assert result.returncode == 0, result.stderr[-2000:]
    assert row_counts(crawled) == before


def test_scrapy_command_line_crawls_with_janoubia_spider(sample_site, tmp_path):
    db = tmp_path / "scrapy.db"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "janoubia",
         "-a", f"start_urls={middle_article(sample_site)}", "-s", f"CORPUS_DB={db}", *LOOPBACK],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(stored_articles(db)) == len(sample_site.truth["articles"])


def test_wordpress_profile_reaches_the_same_articles(sample_site, tmp_path):
    db = tmp_path / "wp.db"
    # No SITE_TIMEZONE: the zone of the visible dates comes from the site's /wp-json/.
    result = run_cli("crawl", "wordpress", middle_article(sample_site), "--db", str(db),
                     *LOOPBACK)
    assert result.returncode == 0, result.stderr[-2000:]
    stored = stored_articles(db)
    assert sorted(stored) == sorted(a["url"] for a in sample_site.truth["articles"])
    assert {tuple(link) for link in table(db, "select src, dst, role from links")} == {
        tuple(link) for link in sample_site.truth["links"]}
    wrong_dates = [a["url"] for a in sample_site.truth["articles"]
                   if stored[a["url"]]["published"] != a["published"]]
    assert wrong_dates == []
