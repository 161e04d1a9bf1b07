"""Scrapy's feed exports of the articles a crawl stores (``scrapy crawl ... -O FILE``).

Which fields, in which order, is ``FEED_EXPORT_FIELDS`` in ``crawler/settings.py``;
only stored articles reach the exports (the store pipeline drops fetch records and
duplicates once written).  Every record has every field, null (an empty CSV cell)
where the article has no value, as in the corpus.  JSON and JSON lines keep lists
as lists; CSV cells hold them as JSON text, the way the corpus keeps categories and
tags.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy.exporters import CsvItemExporter, JsonItemExporter, JsonLinesItemExporter


class JsonArticleExporter(JsonItemExporter):
    """Scrapy's JSON exporter, every field in every record (null when missing)."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("export_empty_fields", True)
        super().__init__(file, **kwargs)


class JsonLinesArticleExporter(JsonLinesItemExporter):
    """Scrapy's JSON lines exporter, every field in every record (null when missing)."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("export_empty_fields", True)
        super().__init__(file, **kwargs)


class CsvArticleExporter(CsvItemExporter):
    """Scrapy's CSV exporter, with lists and dicts (categories, tags, aliases, links)
    as JSON text in their cells, UTF-8 as is, rather than joined with commas (a
    category may hold one) or written as Python reprs."""

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, tuple, dict)):
            return json.dumps(value, ensure_ascii=False)
        return super().serialize_field(field, name, value)
