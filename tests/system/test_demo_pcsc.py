"""`kiosk demo --reader pcsc`: the scripted visits read their cards through pcscd, vpcd and the card
emulator, and come out exactly as with the simulated reader; the card received only allowed commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drivers.card.settings import ReaderBackend
from kiosk.demo.runner import run_scenario
from kiosk.demo.scenarios import SCENARIOS
from kiosk.site.model import SiteConfig
from tests.drivers.card.card_facts_allowlist import allowed

pytestmark = pytest.mark.slow

# One of each way a card read can go: served, refused on a fact, refused on the kind, no answer, pulled.
CARD_SCENARIOS = ("service-registration-sign-locked", "smartphone-jpki", "unreadable-chip", "card-pulled-mid-read")
COMPARED = ("ticket", "refusal", "checks", "screens", "final_screen")


def run(config: SiteConfig, name: str, out: Path, reader: ReaderBackend) -> dict[str, Any]:
    return run_scenario(config, SCENARIOS[name], out / reader.value, screen=(540, 960), reader=reader)


@pytest.mark.parametrize("name", CARD_SCENARIOS)
def test_a_visit_reads_its_card_through_pcsc_as_with_the_simulated_reader(
    site_config: SiteConfig, tmp_path: Path, name: str
) -> None:
    simulated = run(site_config, name, tmp_path, ReaderBackend.SIM)
    pcsc = run(site_config, name, tmp_path, ReaderBackend.PCSC)

    assert {k: pcsc[k] for k in COMPARED} == {k: simulated[k] for k in COMPARED}
    commands = pcsc["card_commands"]
    assert commands, "the emulated card received nothing: the read did not go through PC/SC"
    outside = []
    for line in commands:
        where, apdu = line.split(": ")
        application, ef = where.split("/")
        if not allowed(application, None if ef == "-" else ef, bytes.fromhex(apdu)):
            outside.append(line)
    assert outside == []
