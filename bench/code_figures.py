"""Code figures (issue 25): handler length median / p90 / max, the largest module, the
count of `dict[str, Any]` annotations and of query-module functions returning one.

Run: `.venv/bin/python bench/code_figures.py [TREE]` (TREE: a checkout, default `.`);
compare with an older tree through `git worktree add /tmp/before REV`."""

from __future__ import annotations

import ast
import re
import statistics
import sys
from pathlib import Path

PACKAGES = (
    "core",
    "organisations",
    "accounts",
    "certification",
    "qchecks",
    "competencies",
    "cycles",
    "webkit",
    "portal",
)
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}
RETURNS_A_DICT = re.compile(r"def [^\n]*->[^\n]*dict\[str, Any\]")


def sources(root: Path) -> list[Path]:
    return [
        path
        for package in PACKAGES
        if (root / package).exists()
        for path in (root / package).rglob("*.py")
        if "piccolo_migrations" not in path.parts
    ]


def handler_lengths(tree: ast.AST) -> list[int]:
    """The length in lines of each function decorated as a route."""
    lengths = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if getattr(called, "id", getattr(called, "attr", "")) in ROUTE_DECORATORS:
                    lengths.append((node.end_lineno or node.lineno) - node.lineno + 1)
                    break
    return lengths


def main(root: Path) -> None:
    lengths: list[int] = []
    sizes: list[tuple[int, str]] = []
    annotations = query_dicts = 0
    for path in sources(root):
        text = path.read_text(encoding="utf-8")
        sizes.append((len(text.splitlines()), str(path.relative_to(root))))
        annotations += text.count("dict[str, Any]")
        if path.name == "queries.py":
            query_dicts += len(RETURNS_A_DICT.findall(text))
        if "web" in path.parts:
            lengths.extend(handler_lengths(ast.parse(text)))
    lengths.sort()
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    print(
        f"handlers {len(lengths)}: median {statistics.median(lengths)}, p90 {p90}, "
        f"max {lengths[-1]} lines"
    )
    lines, module = max(sizes)
    print(f"largest module: {module}, {lines} lines")
    print(f"dict[str, Any] annotations: {annotations}")
    print(f"queries.py functions annotated to return dict[str, Any]: {query_dicts}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
