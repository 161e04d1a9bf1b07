"""The settings of a crawl the ``crawler`` command starts (crawl, demo, bench): the
project's, the corpus path, ``-s NAME=VALUE`` overrides, checked before the crawl."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.settings import Settings

from crawler.errors import UsageError
from crawler.inputcheck import check_names, check_values

# A site on loopback needs no politeness delay; real sites keep the project defaults.
LOOPBACK_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
}


def project_settings(db: str, overrides: Sequence[str] = (),
                     extra: dict[str, Any] | None = None) -> Settings:
    """The project's settings with the corpus path, *extra* values and ``NAME=VALUE`` overrides."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("CORPUS_DB", db, priority="cmdline")
    for name, value in (extra or {}).items():
        settings.set(name, value, priority="cmdline")
    for pair in overrides:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s expects NAME=VALUE, got {pair!r}")
        try:
            settings.set(name.strip(), value, priority="cmdline")
        except ValueError:  # Scrapy reads a dict setting's JSON as it is set
            raise UsageError(f"{name.strip()}: expected a JSON object, got {value!r}") from None
    return settings


def check_settings(settings: Settings, overrides: Sequence[str] = ()) -> None:
    """Refuse ``-s`` names that are no setting and values the crawl would fail on."""
    names = [pair.partition("=")[0].strip() for pair in overrides]
    check_names(names)
    check_values(settings, names)
