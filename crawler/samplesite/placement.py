"""Where the lasting faults sit on one site: the missing and disallowed articles, and
the chain articles that carry the redirect loop, the offsite link, the cycle and the
padding.  Hosts are drawn from the fault seed among chain articles that stay served."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.samplesite.faults import Faults, unit
from crawler.samplesite.model import PLACEHOLDER, Site


@dataclass(frozen=True)
class Placement:
    """Encoded paths of the articles the lasting faults touch."""

    #: Articles answered 404, with their copies.
    missing: frozenset[str] = frozenset()
    #: Articles and copies robots.txt disallows.
    disallowed: frozenset[str] = frozenset()
    loop_host: str | None = None
    offsite_host: str | None = None
    #: The article whose next link points back, and the older article it points to.
    cycle: tuple[str, str] | None = None
    oversize: str | None = None
    #: Articles whose page is rendered again from a changed post.
    changed: frozenset[str] = field(default=frozenset())

    @property
    def unstorable(self) -> frozenset[str]:
        """Articles a crawler cannot store: missing, disallowed or too big."""
        return self.missing | self.disallowed | ({self.oversize} if self.oversize else set())


def copies_of(site: Site) -> dict[str, list[str]]:
    """Encoded copy paths of each article that has copies, by the article's path."""
    found: dict[str, list[str]] = {}
    for alias, url in site.truth["aliases"].items():
        if "?p=" not in alias:
            found.setdefault(url.removeprefix(PLACEHOLDER), []).append(
                alias.removeprefix(PLACEHOLDER))
    return found


def place(site: Site, faults: Faults) -> Placement:
    """The placement of *faults* on *site*; ValueError when they do not fit it."""
    n = len(site.article_paths)
    if bad := sorted(i for i in faults.missing if i > n):
        raise ValueError(f"no article {bad[0]} to answer 404 (site has {n})")
    copies = copies_of(site)
    missing = {site.article_paths[i - 1] for i in faults.missing}
    missing |= {c for path in missing for c in copies.get(path, [])}
    every = site.article_paths + [c for cs in copies.values() for c in cs]
    disallowed = frozenset(p for p in every if faults.disallowed(p))
    middle = len(site.chain) // 2
    taken = missing | disallowed | {site.chain[middle]}
    hosts: dict[str, str | None] = {}
    for name, wanted in (("loop", faults.redirect_loop), ("offsite", faults.offsite_redirect),
                         ("oversize", bool(faults.oversize))):
        hosts[name] = pick(site.chain, taken, faults.seed, name) if wanted else None
        taken.add(hosts[name] or "")
    cycle = pick_cycle(site.chain, taken, faults.seed) if faults.cycle else None
    changed = {hosts["loop"], hosts["offsite"], cycle[0] if cycle else None} - {None}
    if changed and site.render_article is None:
        raise ValueError("this site cannot render changed articles")
    return Placement(frozenset(missing), disallowed, hosts["loop"], hosts["offsite"], cycle,
                     hosts["oversize"], frozenset(p for p in changed if p))


def pick(chain: list[str], taken: set[str], seed: int, name: str) -> str | None:
    """A chain article not *taken*, drawn from *seed* and *name*."""
    options = [p for p in chain if p not in taken]
    return options[int(unit(seed, "host", name) * len(options))] if options else None


def pick_cycle(chain: list[str], taken: set[str], seed: int) -> tuple[str, str] | None:
    """A chain article after the middle one (so the walk from the middle meets it) and
    an article two to five places before it, where its next link will point."""
    options = [k for k in range(len(chain) // 2 + 1, len(chain) - 1)
               if chain[k] not in taken and k >= 2]
    if not options:
        return None
    k = options[int(unit(seed, "cycle") * len(options))]
    back = 2 + int(unit(seed, "cycle back") * 4)
    return chain[k], chain[max(0, k - back)]
