"""The simulated reader keeps the real reader's contract: presence by polling, all facts or an error."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.card.profiles import PROFILES, profile
from drivers.card.sim import SimCardReader
from drivers.interfaces import CardPresence, HealthState
from kiosk.domain.model import CardKind
from kiosk.errors import CardRemoved, NoCard, ReaderUnavailable, UsageError

TODAY = date(2026, 11, 26)


@pytest.fixture
def reader():
    return SimCardReader(today=lambda: TODAY)


def test_presence_follows_the_card(reader):
    assert reader.poll() is CardPresence.ABSENT
    reader.place("valid")
    assert reader.poll() is CardPresence.PRESENT
    reader.remove()
    assert reader.poll() is CardPresence.ABSENT


def test_read_gives_the_profile_facts_for_today(reader):
    reader.place("card-expired")
    facts = reader.read_facts()
    assert facts.kind is CardKind.MYNUMBER_CARD
    assert facts.card_expiry is not None and facts.card_expiry < TODAY


def test_no_card_raises(reader):
    with pytest.raises(NoCard):
        reader.read_facts()


def test_card_pulled_mid_read_raises_and_leaves_the_field(reader):
    reader.place("valid")
    reader.pull_during_next_read()
    with pytest.raises(CardRemoved):
        reader.read_facts()
    assert reader.poll() is CardPresence.ABSENT


def test_unplugged_reader(reader):
    reader.place("valid")
    reader.unplug()
    assert reader.poll() is CardPresence.READER_GONE
    assert reader.health().state is HealthState.DOWN
    with pytest.raises(ReaderUnavailable):
        reader.read_facts()
    reader.plug()
    assert reader.poll() is CardPresence.PRESENT


def test_unknown_profile_lists_the_valid_names():
    with pytest.raises(UsageError) as error:
        profile("gold-card")
    assert "gold-card" in str(error.value) and "sign-locked" in str(error.value)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_certificates_never_outlive_the_card(name):
    facts = PROFILES[name].facts(TODAY)
    if facts.card_expiry and facts.auth_cert_not_after:
        assert facts.auth_cert_not_after <= facts.card_expiry


def test_the_profiles_the_skeleton_promised_exist():
    promised = {
        "valid", "card-expired", "cert-expired", "sign-locked", "user-pin-one-try", "no-sign-cert",
        "licence-present", "licence-absent", "free-area-unknown", "legacy-licence", "smartphone-jpki",
        "unreadable", "unknown-card",
    }  # fmt: skip
    assert promised <= set(PROFILES)
