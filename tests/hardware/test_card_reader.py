"""The PC/SC driver against a real reader and a real card on a bench (opt-in: `-m hardware`).

Set KIOSK_CARD_READER to a part of the reader's name as pcscd lists it (e.g. "RC-S300") and place
a My Number card of your own on it (KIOSK_CARD_KIND=legacy_license for an IC driver's licence).
Nothing is read that card-facts.md does not allow; no PIN is asked or tried.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from drivers.card.pcsc import PcscCardReader, wait_for
from drivers.card.settings import ReaderConfig
from drivers.interfaces import CardPresence, HealthState
from kiosk.domain.model import CardKind

READER = os.environ.get("KIOSK_CARD_READER")
KIND = CardKind(os.environ.get("KIOSK_CARD_KIND", CardKind.MYNUMBER_CARD.value))

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(READER is None, reason="set KIOSK_CARD_READER to a reader on the bench, with a card on it"),
]


@pytest.fixture
def reader() -> Iterator[PcscCardReader]:
    assert READER is not None
    device = PcscCardReader(ReaderConfig(name_match=READER))
    yield device
    device.close()


def test_the_reader_is_found_and_healthy(reader: PcscCardReader) -> None:
    assert wait_for(reader, CardPresence.PRESENT, timeout_s=10), reader.health()
    assert reader.health().state is HealthState.OK


def test_the_card_on_the_reader_gives_its_facts_without_a_pin(reader: PcscCardReader) -> None:
    assert wait_for(reader, CardPresence.PRESENT, timeout_s=10)

    reading = reader.read()

    facts = reading.facts
    assert facts.kind is KIND, reading.apdus
    if KIND is CardKind.MYNUMBER_CARD:
        assert facts.card_expiry is not None and facts.auth_cert_not_after is not None
        assert facts.auth_cert_not_after <= facts.card_expiry  # certificates never outlive the card
        assert facts.pin_tries.user_auth is not None and facts.licence_data_present is not None
        assert len(reading.apdus) <= 30
    else:
        assert facts.legacy_licence_expiry is not None
