"""What the crawl asks of WordPress's REST API: the site's time zone."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def site_timezone(body: bytes) -> str | None:
    """The IANA zone in a WordPress REST index (``timezone_string``, else a whole-hour
    ``gmt_offset`` as ``Etc/GMT-N``), or None.

    >>> site_timezone(b'{"timezone_string": "Asia/Beirut", "gmt_offset": 3}')
    'Asia/Beirut'
    >>> site_timezone(b'{"timezone_string": "", "gmt_offset": "3"}')
    'Etc/GMT-3'
    >>> site_timezone(b'<html>') is None
    True
    """
    try:
        index = json.loads(body)
        zone = index.get("timezone_string") or ""
        if not zone:
            offset = float(index.get("gmt_offset"))
            zone = f"Etc/GMT{-int(offset):+d}" if offset.is_integer() else ""
        ZoneInfo(zone)
    except (ValueError, TypeError, AttributeError, ZoneInfoNotFoundError):
        return None
    return zone or None
