"""Every rule of rules.md (R1…R28) names at least one test, so a kiosk behaviour traces back to the leaflet."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RULE_IDS = [f"R{n}" for n in range(1, 29)]
NAMED = re.compile(r"(?:^|_)r(\d+)(?=_)")


def _test_names() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def test_every_rule_id_names_a_test():
    named = {f"R{m}" for name in _test_names() for m in NAMED.findall(name)}
    missing = [rule for rule in RULE_IDS if rule not in named]
    assert missing == [], f"rules no test is named after: {missing}"
