"""Page bodies as the corpus keeps them: compressed (zstd, else gzip) under their digest.

Its own module, light to import, so that a page-reader worker packs the bodies it reads
(hash and compression off the crawl's process) without loading the storage layer.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
from dataclasses import dataclass
from types import ModuleType

from crawler.errors import StorageError


def _find_zstd() -> ModuleType | None:
    """The first zstd module installed: Python 3.14's own, its backport, or zstandard."""
    for name in ("compression.zstd", "backports.zstd", "zstandard"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


_ZSTD = _find_zstd()
#: How new bodies are compressed: ``zstd`` when a module for it is installed, else ``gzip``.
BODY_ENCODING = "gzip" if _ZSTD is None else "zstd"


def compress_body(raw: bytes) -> tuple[str, bytes]:
    """``(encoding, data)``: *raw* compressed the way new bodies are stored."""
    if _ZSTD is None:
        # mtime=0: the same page always compresses to the same bytes.
        return "gzip", gzip.compress(raw, mtime=0)
    return "zstd", _ZSTD.compress(raw)


def decompress_body(encoding: str, data: bytes) -> bytes:
    """The raw bytes of a body stored with *encoding*."""
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "zstd" and _ZSTD is not None:
        return bytes(_ZSTD.decompress(data))
    raise StorageError(f"cannot read a {encoding} body: no module for it is installed")


def body_digest(raw: bytes) -> str:
    """The key of *raw* in the bodies table."""
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class PackedBody:
    """A body ready for the bodies table: its digest, its raw size, and its data as
    *encoding* compresses it."""

    digest: str
    size: int
    encoding: str
    data: bytes


def pack_body(raw: bytes) -> PackedBody:
    """*raw* hashed and compressed for the bodies table."""
    encoding, data = compress_body(raw)
    return PackedBody(body_digest(raw), len(raw), encoding, data)
