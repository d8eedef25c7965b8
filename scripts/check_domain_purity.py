"""Fails when code under ``src/ketamine_cds/domain`` reaches for I/O or the clock.

import-linter checks which packages the domain imports; this adds what it cannot see:
built-in ``open``/``print``/``input`` and reading the wall clock, both of which would make
a recommendation depend on something other than its inputs.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parent.parent / "src" / "ketamine_cds" / "domain"
FORBIDDEN_MODULES = {
    "os",
    "io",
    "pathlib",
    "shutil",
    "socket",
    "subprocess",
    "sqlite3",
    "urllib",
    "http",
    "requests",
    "httpx",
    "yaml",
    "json",
    "tempfile",
    "logging",
    "time",
    "random",
}
FORBIDDEN_CALLS = {"open", "print", "input"}
FORBIDDEN_ATTRIBUTES = {"now", "today", "utcnow", "time_ns"}


def problems(path: Path) -> list[str]:
    """List each forbidden import or call in one file, as ``file:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found.extend(
            f"{path}:{node.lineno}: imports {name}"
            for name in names
            if name.split(".")[0] in FORBIDDEN_MODULES
        )
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{path}:{node.lineno}: calls {func.id}()")
            if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRIBUTES:
                found.append(f"{path}:{node.lineno}: reads the clock ({func.attr}())")
    return found


def main() -> int:
    """Check every domain module; exit 1 and name each problem if any is found."""
    found = [p for file in sorted(DOMAIN.rglob("*.py")) for p in problems(file)]
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"the domain must stay pure: {len(found)} problem(s)", file=sys.stderr)
        return 1
    print(f"domain purity: {len(list(DOMAIN.rglob('*.py')))} modules checked, none reach for I/O")
    return 0


if __name__ == "__main__":
    sys.exit(main())
