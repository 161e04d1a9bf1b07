"""The project's modules import each other without cycles (imports for type checking
only left aside), whether an import sits at the top of a module or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = ("crawler", "spiders", "pipelines")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of import statements under ``if TYPE_CHECKING:``."""
    return {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
            and "TYPE_CHECKING" in ast.dump(block.test) for node in ast.walk(block)}


def imported(tree: ast.Module, known: set[str]) -> set[str]:
    """Our modules *tree* imports at run time (a ``from package import submodule``
    counts as the submodule)."""
    skip, found = type_checking_only(tree), set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    known = {module_name(p) for p in files}
    edges = {module_name(p): imported(ast.parse(p.read_text(encoding="utf-8")), known)
             for p in files}
    return {name: targets - {name} for name, targets in edges.items()}


def cycle_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    """A path of imports from *start* back to itself, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for target in edges.get(name, ()):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_no_module_imports_itself_through_others():
    edges = graph()
    cycles = [cycle for name in sorted(edges) if (cycle := cycle_from(name, edges))]
    assert cycles == []


def test_the_check_finds_a_cycle():
    assert cycle_from("a", {"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_from("a", {"a": {"b"}, "b": set()}) is None
