"""The package's import graph, imports inside functions included: no circles, and no arrow from
a lower layer up to `cli` (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "up2k_cli"
# Each layer may import the ones after it, never those before.
LAYERS = ("entry", "cli", "pictures", "services", "reports", "render", "storage", "domain", "i18n")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """Every up2k_cli module this one imports, anywhere in its body (`from pkg import module`
    imports the module; `from pkg import name` imports the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("up2k_cli")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("up2k_cli"):
                continue
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in imports_of(path, name, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_package_has_no_import_circles() -> None:
    edges = graph()
    seen: dict[str, int] = {}  # 1 on the path, 2 done
    circles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(edges[node]):
            if seen.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for start in sorted(edges):
        if start not in seen:
            visit(start, [start])
    assert not circles, "import circles:\n" + "\n".join(" -> ".join(c) for c in circles)


def test_no_lower_layer_imports_a_higher_one() -> None:
    wrong = []
    for source, targets in graph().items():
        src = layer(source)
        for target in targets:
            dst = layer(target)
            if src and dst and src != dst and LAYERS.index(dst) < LAYERS.index(src):
                wrong.append(f"{source} -> {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_the_graph_sees_imports_inside_functions() -> None:
    """A test that cannot fail is no test: the walker must find a function-level import."""
    edges = graph()
    assert "up2k_cli.storage" in edges["up2k_cli.cli.context"]  # imported inside registry()
