"""`kiosk demo --headless --scenario two-kiosks`: two kiosk processes and a lobby on a PostgreSQL the
run starts itself: one number sequence per group, no duplicate, every ticket called and seen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.demo.lobby import VISITS
from kiosk.demo.two_kiosks import run_two_kiosks
from kiosk.site.model import SiteConfig

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def test_two_kiosks_share_one_sequence_and_the_lobby_shows_every_call(tmp_path: Path, site_config: SiteConfig) -> None:
    out = tmp_path / "two"
    result = run_two_kiosks(site_config, out, VISITS[:8])  # the whole morning is the demo's; 8 show it
    assert json.loads((out / "result.json").read_text()) == result
    every = [label for labels in result["tickets"].values() for label in labels]
    assert set(result["tickets"]) == {"kiosk-1", "kiosk-2"} and all(result["tickets"].values())
    assert len(every) == len(set(every)) and result["duplicates"] == []
    # One sequence per group from 001, whichever kiosk issued: no gap, no block numbers in normal running.
    for prefix in {label.split("-")[0] for label in every}:
        numbers = sorted(int(label.split("-")[1]) for label in every if label.startswith(prefix + "-"))
        assert numbers == list(range(1, len(numbers) + 1))
    called = [c["label"] for c in result["calls"]]
    counters_serve = {"M", "R"}  # c13 and c1
    assert sorted(called) == sorted(label for label in every if label.split("-")[0] in counters_serve)
    assert all(c["lobby_shows_after_ms"] < 10_000 for c in result["calls"])
    assert (out / "kiosk-1" / f"00-{VISITS[0]}" / "ticket.png").exists()


def test_two_kiosks_is_listed_with_the_demo_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--list-scenarios", "--config", str(REPO / "config")]) == 0
    assert "two-kiosks" in capsys.readouterr().out
