"""Benchmark figures `ui.*` (see the ui issue for names and targets)."""

from __future__ import annotations


def measure() -> dict[str, float]:
    return {}
