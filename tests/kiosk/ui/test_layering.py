"""pygame lives in kiosk/ui only: the core, drivers and the rest of the shell never import it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_ui_package_imports_pygame() -> None:
    ui = ROOT / "kiosk" / "ui"
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "kiosk").rglob("*.py")
        if ui not in path.parents and "pygame" in _imports(path)
    ]
    assert offenders == []


def test_the_ui_package_does_import_pygame() -> None:
    """Keeps the test above honest: it would pass vacuously if the scan found nothing."""
    assert "pygame" in _imports(ROOT / "kiosk" / "ui" / "view.py")
