"""The package's layering, checked by walking every import of every module (issue 18).

Rules a newcomer can rely on when looking for the room for a change:

- a *stage* module (everything but ``store``, ``runners``, ``report``, ``web``, ``evaluate`` and
  ``cli``) imports none of the store, a runner, the report or the web layer;
- the store imports no stage (only ``records`` and ``config``);
- no import cycles between modules (lazy imports inside functions count too);
- no private name (``_x``) is imported from another module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import copydesk

ROOT = Path(copydesk.__file__).parent
LAYERS = ("store", "runners", "report", "web")
NOT_STAGES = (*LAYERS, "evaluate", "cli", "__init__")
STORE_MAY_IMPORT = ("records", "config", "store")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(("copydesk", *parts))


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def resolve(mod: str, path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(mod: str) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every import in ``mod``."""
    path = MODULES[mod]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("copydesk"):
                    yield a.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = resolve(mod, path, node)
            if not target.startswith("copydesk"):
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                yield (sub, None, node.lineno) if sub in MODULES else (target, a.name, node.lineno)


def top(mod: str) -> str:
    return mod.split(".")[1] if mod.count(".") else "__init__"


def test_the_walk_sees_the_package() -> None:
    assert len(MODULES) > 30
    assert "copydesk.records" in MODULES and "copydesk.store.sql" in MODULES
    assert any(t == "copydesk.records" for t, _, _ in imports("copydesk.store.sql"))


def test_stages_import_no_store_runner_report_or_web() -> None:
    bad = [
        f"{m}:{line} imports {t}"
        for m in MODULES
        if top(m) not in NOT_STAGES
        for t, _, line in imports(m)
        if top(t) in LAYERS
    ]
    assert not bad, "\n".join(bad)


def test_the_store_imports_no_stage() -> None:
    bad = [
        f"{m}:{line} imports {t}"
        for m in MODULES
        if top(m) == "store"
        for t, _, line in imports(m)
        if top(t) not in STORE_MAY_IMPORT
    ]
    assert not bad, "\n".join(bad)


def test_no_private_name_is_imported_across_modules() -> None:
    bad = [
        f"{m}:{line} imports {name} from {t}"
        for m in MODULES
        for t, name, line in imports(m)
        if name and name.startswith("_") and not name.startswith("__") and t != m
    ]
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for t, _, _ in imports(m):
            while t not in MODULES and "." in t:
                t = t.rsplit(".", 1)[0]
            # a package's __init__ importing its own submodules is how it exports them, not a cycle
            if t in MODULES and t != m and not (MODULES[t].name == "__init__.py" and m.startswith(t + ".")):
                graph[m].add(t)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
