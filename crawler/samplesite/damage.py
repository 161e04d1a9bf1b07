"""What faulty servers do to a page's bytes: another encoding, broken markup, a body cut
short, padding.  None of it changes the text a reader sees."""

from __future__ import annotations

import re

_META_CHARSET = re.compile(r'<meta charset="UTF-8">\n?', re.IGNORECASE)
_SCRIPT = re.compile(r"(<script\b[^>]*>)(.*?)(</script>)", re.DOTALL)


def to_windows_1256(html: bytes, keep_meta: bool = False) -> bytes:
    """A UTF-8 page in windows-1256, its ``<meta charset>`` removed unless *keep_meta*
    (a page mislabelled UTF-8 says so in its meta too).

    Characters windows-1256 lacks (Arabic-Indic digits among them) become character
    references, or ``\\uXXXX`` escapes inside scripts, where references mean nothing:
    the decoded text stays the same.

    >>> to_windows_1256('<meta charset="UTF-8">\\n<p>لبنان ٣</p>'.encode())
    b'<p>\\xe1\\xc8\\xe4\\xc7\\xe4 &#1635;</p>'
    """
    text = html.decode("utf-8")
    if not keep_meta:
        text = _META_CHARSET.sub("", text)
    out, last = [], 0
    for found in _SCRIPT.finditer(text):
        out.append(text[last:found.start(2)].encode("cp1256", "xmlcharrefreplace"))
        out.append(found[2].encode("cp1256", "backslashreplace"))
        last = found.end(2)
    out.append(text[last:].encode("cp1256", "xmlcharrefreplace"))
    return b"".join(out)


# Each damage as real servers and editors leave it: (where, what it becomes).
_DAMAGES: tuple[tuple[bytes, bytes], ...] = (
    # A duplicated <body>: browsers merge the second into the first.
    (b'">\n<div id="page" class="site">', b'">\n<body class="rtl">\n<div id="page" class="site">'),
    # A stray </div> after the header closes #page early.
    (b"</nav></header>", b"</nav></header>\n</div>"),
    # An unclosed tag, an unescaped & and < in the footer.
    (b'<div class="site-info">&copy; ', b'<div class="site-info"><b>R&D | 1 < 2 | &copy; '),
)


def damage_markup(html: bytes) -> bytes:
    """*html* with the usual damage: a duplicated ``<body>``, a stray ``</div>``, an
    unclosed ``<b>``, an unescaped ``&`` and ``<``, and the ``</p>`` of the first
    paragraph followed by another missing.  Text stays where it was."""
    for where, what in _DAMAGES:
        html = html.replace(where, what, 1)
    return html.replace(b"</p>\n<p>", b"\n<p>", 1)


def cut(body: bytes, share: float) -> bytes:
    """The first *share* of *body*, ending on a UTF-8 character boundary.

    >>> cut("لبنان".encode(), 0.5).decode()
    'لب'
    """
    end = int(len(body) * share)
    while 0 < end < len(body) and body[end] & 0xC0 == 0x80:
        end -= 1
    return body[:end]


def pad(html: bytes, size: int) -> bytes:
    """*html* padded with more than *size* bytes of HTML comments before ``</body>``
    (the padding alone passes *size*, whatever origin the page is rendered on)."""
    line = b"<!-- " + b"archive padding " * 6 + b"-->\n"
    count = size // len(line) + 1
    head, tail = html.rsplit(b"</body>", 1)
    return head + line * count + b"</body>" + tail


def with_sidebar(html: bytes, widget: str) -> bytes:
    """*html* with *widget* at the end of its sidebar (unchanged when it has none)."""
    return html.replace(b"</aside>", widget.encode("utf-8") + b"</aside>", 1)
