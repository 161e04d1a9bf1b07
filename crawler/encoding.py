"""Which encoding an HTML page's bytes are really in.

Arabic news sites serve windows-1256 pages with no charset at all, or label them
ISO-8859-1 (an old server default), and serve UTF-8 pages labelled windows-1256.
Scrapy trusts the label, or guesses cp1252 when there is none: the Arabic comes out
as ``ÇáÚÑÈíÉ``.  These functions check the label against the bytes.
"""

from __future__ import annotations

import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

UTF8 = "utf-8"
ARABIC_SINGLE_BYTE = "cp1256"
# What servers print when nobody set a charset (w3lib names: latin-1 and ascii are cp1252).
_LATIN_DEFAULTS = frozenset({"cp1252", "iso8859-15"})
# A body is UTF-8 when this share of its non-ASCII sequences decode (a stray byte in
# an otherwise UTF-8 page must not turn the whole page into cp1256).
UTF8_MIN_SHARE = 0.9
# Text is Arabic when this share of its non-ASCII letters stand in Arabic-only words...
ARABIC_MIN_SHARE = 0.8
# ...and there are at least this many of them.
ARABIC_MIN_LETTERS = 10
_ARABIC_SCRIPT = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_WORD = re.compile(f"^[{_ARABIC_SCRIPT}]{{2,}}$")
# Runs of letters: tashkeel (combining marks) would split words, so they are removed first.
_LETTERS = re.compile(r"[^\W\d_]+")
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The encoding Scrapy would take from the page itself: BOM, then the
    ``Content-Type`` charset, then ``<meta>``; None when there is none.

    >>> declared_encoding(b"<html>", "text/html; charset=ISO-8859-1")
    'cp1252'
    >>> declared_encoding(b'<meta charset="windows-1256">', "text/html")
    'cp1256'
    >>> declared_encoding(b"<html>", None) is None
    True
    """
    return (read_bom(body)[0] or http_content_type_encoding(content_type)
            or html_body_declared_encoding(body))


def utf8_share(body: bytes) -> float:
    """Share of the non-ASCII sequences of *body* that are valid UTF-8 (1.0 without any).

    >>> utf8_share("عربي".encode("utf-8"))
    1.0
    >>> utf8_share("عربي".encode("cp1256"))
    0.0
    """
    try:
        body.decode(UTF8)
    except UnicodeDecodeError:
        text = body.decode(UTF8, "replace")
        bad = text.count("\ufffd")
        good = len(text) - len(text.encode("ascii", "ignore")) - bad
        return good / (good + bad)
    return 1.0


def arabic_share(text: str) -> tuple[float, int]:
    """Share of the non-ASCII letters of *text* that stand in words written only in
    Arabic script, and their number.  Arabic decoded with the wrong table gives
    Latin words (``ÇáÚÑÈíÉ``); Latin text decoded as cp1256 gives Arabic letters
    inside Latin words (``mلs``): both score low.

    >>> arabic_share("<p>العربيّة الفصحى</p>")
    (1.0, 13)
    >>> arabic_share("más allá")
    (0.0, 0)
    """
    letters = arabic = 0
    for word in _LETTERS.findall(_MARKS.sub("", text)):
        if word.isascii():
            continue
        non_ascii = len(word) - len(word.encode("ascii", "ignore"))
        letters += non_ascii
        if _ARABIC_WORD.match(word):
            arabic += non_ascii
    return (arabic / letters if letters else 0.0), arabic


def looks_arabic(text: str) -> bool:
    """True when *text* reads as Arabic (see :func:`arabic_share`).

    >>> looks_arabic("قال وزير الخارجية اللبناني")
    True
    >>> looks_arabic("ÇáÚÑÈíÉ ÇáÝÕÍì Ýí áÈäÇä")
    False
    """
    share, count = arabic_share(text)
    return share >= ARABIC_MIN_SHARE and count >= ARABIC_MIN_LETTERS


def decodes(body: bytes, encoding: str) -> bool:
    """True when *body* decodes in *encoding* without an error.

    >>> decodes("ف".encode("utf-8"), "cp1252")  # 0x81 is undefined in cp1252
    False
    """
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def ascii_compatible(encoding: str) -> bool:
    """True when *encoding* writes ASCII markup as ASCII (not UTF-16 or UTF-32).

    >>> ascii_compatible("cp1256"), ascii_compatible("utf-16-le")
    (True, False)
    """
    try:
        return "<html>".encode(encoding) == b"<html>"
    except (LookupError, UnicodeEncodeError):
        return False


def best_encoding(body: bytes, declared: str | None) -> str | None:
    """The encoding to decode *body* with instead of *declared*, or None to keep it.

    UTF-8 wins whenever the bytes are UTF-8: single-byte text is almost never valid
    UTF-8, so a windows-1256 or ISO-8859-1 label on them is wrong.  Otherwise a label
    under which the bytes decode stays, unless it is a Latin default under which
    windows-1256 reads as Arabic.  A page that is not what its UTF-8 label says, or
    that has no label, is windows-1256 when that reads as Arabic.  A BOM is final.

    >>> best_encoding("<p>مرحبا</p>".encode("utf-8"), "cp1256")
    'utf-8'
    >>> best_encoding("<p>قال وزير الخارجية</p>".encode("cp1256"), "utf-8")
    'cp1256'
    >>> best_encoding("<p>قال وزير الخارجية</p>".encode("cp1256"), "cp1252")
    'cp1256'
    >>> best_encoding("<p>café crème</p>".encode("cp1252"), None) is None
    True
    """
    if body.isascii() or read_bom(body)[0] is not None:
        return None
    if declared is not None and not ascii_compatible(declared):
        return None
    if utf8_share(body) >= UTF8_MIN_SHARE:
        return None if declared == UTF8 else UTF8
    if declared is not None and decodes(body, declared) and declared not in _LATIN_DEFAULTS:
        return None
    if declared != ARABIC_SINGLE_BYTE and looks_arabic(body.decode(ARABIC_SINGLE_BYTE)):
        return ARABIC_SINGLE_BYTE
    return None
