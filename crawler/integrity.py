"""Is a downloaded page whole?

A server that closes the connection early without having sent a ``Content-Length``
(or a proxy that cuts a chunked body cleanly) hands over a page that parses fine and
ends mid-article.  Every real page closes ``</html>`` (or at least ``</body>``), so a
body that does not is taken as cut short.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response

# Bytes allowed after the last ``</body>``/``</html>``: hosts and caches append an
# analytics script or a note there (trailing comments do not count against it).
TAIL_TOLERANCE = 4096
TRUNCATED_HTML = "truncated_html"
DATALOSS = "dataloss"
_CLOSE_TAGS = (b"</html", b"</body")


class TruncatedResponse(IgnoreRequest):
    """A page was still cut short after its retries; ``response`` is the last attempt."""

    def __init__(self, message: str, response: Response):
        super().__init__(message)
        self.response = response


def strip_trailing(body: bytes) -> bytes:
    """*body* without trailing whitespace and complete trailing comments.

    >>> strip_trailing(b"</html>\\n<!-- cached 0.2s -->\\n ")
    b'</html>'
    """
    end = body.rstrip()
    while end.endswith(b"-->"):
        start = end.rfind(b"<!--")
        if start < 0:
            break
        end = end[:start].rstrip()
    return end


def html_is_complete(body: bytes) -> bool:
    """True when an HTML *body* reaches its ``</html>`` or ``</body>`` and ends soon after,
    outside a tag and outside a comment.

    >>> html_is_complete(b"<html><body><p>text</p></body></HTML>\\n<!-- cache -->")
    True
    >>> html_is_complete(b"<html><body><p>text</p></body>")
    True
    >>> html_is_complete(b"<html><body><p>text is cut")
    False
    >>> html_is_complete(b"<html><body><p>text</p></bo")
    False
    """
    end = strip_trailing(body)
    window = end[-TAIL_TOLERANCE:].lower()
    last = max(window.rfind(tag) for tag in _CLOSE_TAGS)
    if last < 0:
        return False
    rest = window[last:]
    in_tag = rest.rfind(b"<") > rest.rfind(b">")
    in_comment = rest.rfind(b"<!--") > rest.rfind(b"-->")
    return not (in_tag or in_comment)


def truncation(response: Response) -> str | None:
    """Why *response* is cut short (``dataloss``: shorter than its ``Content-Length``,
    kept when ``DOWNLOAD_FAIL_ON_DATALOSS`` is off; ``truncated_html``: a page without
    its end), or None when it is whole or is no successful HTML page."""
    if DATALOSS in response.flags:
        return DATALOSS
    page = isinstance(response, HtmlResponse) and 200 <= response.status < 300
    if page and response.status != 204 and not html_is_complete(response.body):
        return TRUNCATED_HTML
    return None
