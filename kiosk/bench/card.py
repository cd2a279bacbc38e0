"""Benchmark figures `card.*` (see the card issue for names and targets)."""

from __future__ import annotations


def measure() -> dict[str, float]:
    return {}
