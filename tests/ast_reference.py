"""An independent reference for the target definitions (docs/scanning.md) on Python's ``ast``."""

from __future__ import annotations

import ast


def _is_overload(node: ast.AST) -> bool:
    for d in getattr(node, "decorator_list", []):
        target = d.func if isinstance(d, ast.Call) else d
        if isinstance(target, ast.Name) and target.id == "overload":
            return True
        if isinstance(target, ast.Attribute) and target.attr == "overload":
            return True
    return False


def reference_targets(source: str) -> list[tuple[str, str, bool]]:
    """Return ``(qualname, kind, has_docstring)`` for every target, in source order."""
    tree = ast.parse(source)
    out = [("<module>", "module", ast.get_docstring(tree, clean=False) is not None)]
    taken: set[str] = set()
    found: list[tuple[int, int, str, str, bool]] = []

    def visit(node: ast.AST, parent_q: str | None, parent_kind: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if not isinstance(child, ast.ClassDef) and _is_overload(child):
                    continue
                found.append((child.lineno, child.col_offset, child, parent_q, parent_kind))
                # children are numbered after the parent; record and descend in order
                continue
            if isinstance(child, ast.Lambda):
                continue
            visit(child, parent_q, parent_kind)

    # source order traversal that assigns qualnames as it goes
    def walk(node: ast.AST, parent_q: str | None, parent_kind: str | None) -> None:
        items: list[ast.AST] = []

        def collect(n: ast.AST) -> None:
            for c in ast.iter_child_nodes(n):
                if isinstance(c, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    items.append(c)
                elif not isinstance(c, ast.Lambda):
                    collect(c)

        collect(node)
        items.sort(key=lambda n: (n.lineno, n.col_offset))
        for c in items:
            if not isinstance(c, ast.ClassDef) and _is_overload(c):
                continue
            base = f"{parent_q}.{c.name}" if parent_q else c.name
            q, n = base, 2
            while q in taken:
                q, n = f"{base}#{n}", n + 1
            taken.add(q)
            if isinstance(c, ast.ClassDef):
                kind = "class"
            elif parent_kind == "class":
                kind = "method"
            else:
                kind = "function"
            out.append((q, kind, ast.get_docstring(c, clean=False) is not None))
            walk(c, q, kind)

    walk(tree, None, None)
    return out
