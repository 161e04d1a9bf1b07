"""The validate pipeline: drop reasons and derived fields."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler

from crawler.items import Article, Fetch
from crawler.text import content_hash
from pipelines.validate import ValidatePipeline
from tests.conftest import project_crawler

BODY = " ".join(["كلمة"] * 25)


def build(**settings: Any) -> ValidatePipeline:
    return build_from_crawler(ValidatePipeline, project_crawler(settings=settings))


def item(**fields: Any) -> Article:
    values = {"url": "https://www.janoubia.com/2017/09/12/a/", "title": "عنوان", "body": BODY}
    values.update(fields)
    return Article(**{k: v for k, v in values.items() if v is not ...})


@pytest.mark.parametrize(("fields", "reason", "message"), [
    ({"url": ...}, "no_url", "no url"),
    ({"url": " "}, "no_url", "no url"),
    ({"title": ...}, "no_title", "no title"),
    ({"title": " \n\t"}, "no_title", "no title"),
    ({"body": ""}, "no_body", "no body"),
    ({"body": None}, "no_body", "no body"),
    ({"body": "قصير جدا"}, "too_short", "body too short (2 words < 20)"),
])
def test_drop_reasons(fields: dict[str, Any], reason: str, message: str) -> None:
    pipeline = build(VALIDATE_MIN_WORDS=20)
    with pytest.raises(DropItem) as dropped:
        pipeline.process_item(item(**fields))
    assert str(dropped.value).startswith(message + ": ")
    assert dropped.value.log_level == (None if reason == "no_url" else "DEBUG")
    stats = pipeline.stats.get_stats()
    assert stats == {f"validate/dropped/{reason}": 1}


def test_a_short_post_is_still_a_post_by_default() -> None:
    assert build().process_item(item(body="أهلاً بكم"))["word_count"] == 2


def test_min_words_setting() -> None:
    body = " ".join(["كلمة"] * 5)
    assert build(VALIDATE_MIN_WORDS=5).process_item(item(body=body))["word_count"] == 5
    with pytest.raises(DropItem, match=r"\(5 words < 6\)"):
        build(VALIDATE_MIN_WORDS="6").process_item(item(body=body))


def test_fills_derived_fields() -> None:
    pipeline = build()
    result = pipeline.process_item(item())
    assert result["language"] == "ar"
    assert result["word_count"] == 25
    assert result["content_hash"] == content_hash("عنوان", BODY)
    assert pipeline.stats.get_value("validate/ok") == 1


def test_keeps_given_fields_and_accepts_dicts() -> None:
    pipeline = build(VALIDATE_DEFAULT_LANGUAGE="fr")
    given = dict(item(language="en", word_count=99, content_hash="abc"))
    assert pipeline.process_item(given) == {**given, "language": "en", "word_count": 99,
                                            "content_hash": "abc"}
    assert pipeline.process_item(dict(item()))["language"] == "fr"


def test_fetch_items_pass_through_untouched() -> None:
    pipeline = build()
    fetch = Fetch(requested_url="https://www.janoubia.com/", status=304, link_role="start")
    assert pipeline.process_item(fetch) is fetch
    assert dict(fetch) == {"requested_url": "https://www.janoubia.com/", "status": 304,
                           "link_role": "start"}
    assert pipeline.stats.get_stats() == {}
