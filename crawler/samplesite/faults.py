"""The ways the sample site can fail on purpose, and which request each one hits.

Every decision is a hash of the fault seed, the decoded request path and, for
transient faults, the attempt number for that path, so a run is reproducible and a
retry can succeed: transient faults hit a path on its first two attempts at most.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

#: Transient faults hit attempts 0 and 1 of a path at most; attempt 2 is always served.
FAULTY_ATTEMPTS = 2
#: The longest a fault may hold a connection, in seconds.
MAX_HOLD = 10.0
#: Transient faults, in the order their rates are stacked.
TRANSIENT = ("error", "throttle", "reset", "timeout", "truncate", "slow")
ERROR_STATUSES = (500, 502, 503, 504)


def unit(*parts: object) -> float:
    """A number in [0, 1) drawn from *parts*, the same in every process.

    >>> unit(1, "/a/", 0) == unit(1, "/a/", 0) != unit(2, "/a/", 0)
    True
    """
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _rate(help_text: str) -> Any:
    return field(default=0.0, metadata={"help": help_text})


@dataclass(frozen=True)
class Faults:
    """Which faults the server injects, all off by default.

    Rates are shares of article pages (of listings too with ``listings``), each drawn
    per path and attempt; the transient rates together must not pass 1.
    """

    seed: int = field(default=0, metadata={"flag": "--fault-seed",
                                           "help": "seed of the fault decisions"})
    listings: bool = field(default=False, metadata={
        "flag": "--fault-listings", "help": "rates apply to listing pages too"})
    error_rate: float = _rate("share answered 500/502/503/504")
    burst_every: int = field(default=0, metadata={
        "help": "every this many requests, a burst of 503s (0: none)"})
    burst_length: int = field(default=0, metadata={"help": "requests in each burst of 503s"})
    slow_rate: float = _rate("share answered after --slow-seconds")
    slow_seconds: float = field(default=1.0, metadata={"help": "delay of slow answers"})
    timeout_rate: float = _rate("share held --timeout-seconds, then closed unanswered")
    timeout_seconds: float = field(default=5.0, metadata={"help": "how long a timeout holds"})
    reset_rate: float = _rate("share reset (TCP RST) once the request is read")
    truncate_rate: float = _rate("share whose body is cut short")
    throttle_rate: float = _rate("share of first attempts answered 429 with Retry-After: 1")
    cp1256_rate: float = _rate("share served in windows-1256 with no charset")
    wrong_charset_rate: float = _rate("share served in windows-1256 labelled UTF-8")
    malformed_rate: float = _rate("share with damaged markup (same text)")
    missing: frozenset[int] = field(default=frozenset(), metadata={
        "help": "article numbers (1-based, comma-separated) answered 404 for good"})
    redirect_loop: bool = field(default=False, metadata={
        "help": "an article links /loop/a/, which redirects to /loop/b/ and back"})
    offsite_redirect: bool = field(default=False, metadata={
        "help": "an article links a page that redirects to another host"})
    oversize: int = field(default=0, metadata={
        "help": "pad one article page beyond this many bytes (0: none)"})
    trap: bool = field(default=False, metadata={
        "help": "an endless calendar and pagination linked from every sidebar, and "
                "category pagination that never ends"})
    cycle: bool = field(default=False, metadata={
        "help": "one article's next link points back to an older article"})
    robots_disallow: tuple[str, ...] = field(default=(), metadata={
        "help": "path prefixes robots.txt disallows (comma-separated)"})

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", frozenset(int(i) for i in self.missing))
        object.__setattr__(self, "robots_disallow", tuple(self.robots_disallow))
        self.check()

    def check(self) -> None:
        """Raise ValueError when the faults cannot be served as asked."""
        rates = {f.name: getattr(self, f.name) for f in fields(self) if f.name.endswith("_rate")}
        if bad := [name for name, rate in rates.items() if not 0 <= rate <= 1]:
            raise ValueError(f"{bad[0]} must be between 0 and 1")
        if sum(getattr(self, f"{name}_rate") for name in TRANSIENT) > 1:
            raise ValueError("the transient fault rates add up to more than 1")
        if self.cp1256_rate + self.wrong_charset_rate > 1:
            raise ValueError("cp1256_rate and wrong_charset_rate add up to more than 1")
        if not 0 <= self.slow_seconds <= MAX_HOLD or not 0 < self.timeout_seconds <= MAX_HOLD:
            raise ValueError(f"slow and timeout seconds must be at most {MAX_HOLD}")
        if self.burst_every < 0 or not 0 <= self.burst_length < max(self.burst_every, 1):
            raise ValueError("a burst must be shorter than the period it repeats in")
        if self.oversize < 0 or any(i < 1 for i in self.missing):
            raise ValueError("oversize and article numbers cannot be negative")
        if not all(p.startswith("/") for p in self.robots_disallow):
            raise ValueError("robots.txt prefixes start with /")

    @property
    def active(self) -> bool:
        """True when any fault is on."""
        return self != Faults(seed=self.seed, listings=self.listings)

    def transient(self, path: str, attempt: int) -> str | None:
        """The transient fault (one of ``TRANSIENT``) that hits attempt *attempt*
        (0-based) of decoded *path*, if any."""
        if attempt >= FAULTY_ATTEMPTS:
            return None
        draw = unit(self.seed, "transient", path, attempt)
        for name in TRANSIENT:
            rate = getattr(self, f"{name}_rate")
            if name == "throttle" and attempt:
                continue
            if draw < rate:
                return name
            draw -= rate
        return None

    def error_status(self, path: str, attempt: int) -> int:
        """The 5xx status of an error fault."""
        return ERROR_STATUSES[int(unit(self.seed, "status", path, attempt) * 4)]

    def short_body(self, path: str, attempt: int) -> bool:
        """True when a truncated body keeps the full Content-Length (the client sees the
        loss), False when the length matches the cut (a page that looks complete)."""
        return unit(self.seed, "short", path, attempt) < 0.5

    def cut_at(self, path: str, attempt: int) -> float:
        """Where a truncated body ends, as a share of its length (0.3 to 0.8)."""
        return 0.3 + 0.5 * unit(self.seed, "cut", path, attempt)

    def encoding(self, path: str) -> str | None:
        """``"cp1256"`` (no charset given), ``"wrong"`` (windows-1256 labelled UTF-8) or
        None for decoded *path*, on every attempt."""
        draw = unit(self.seed, "charset", path)
        if draw < self.cp1256_rate:
            return "cp1256"
        if draw < self.cp1256_rate + self.wrong_charset_rate:
            return "wrong"
        return None

    def malformed(self, path: str) -> bool:
        """True when the markup of decoded *path* is damaged, on every attempt."""
        return unit(self.seed, "malformed", path) < self.malformed_rate

    def in_burst(self, number: int) -> bool:
        """True when the server's request *number* (0-based) falls in a burst of 503s:
        the last ``burst_length`` of every ``burst_every`` requests."""
        return bool(self.burst_every) and \
            number % self.burst_every >= self.burst_every - self.burst_length

    def disallowed(self, path: str) -> bool:
        """True when robots.txt disallows encoded *path*."""
        return path.startswith(self.robots_disallow)
