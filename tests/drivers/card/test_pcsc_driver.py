"""The PC/SC driver's reading session over a fake pyscard connection holding an emulated card.

Every profile's facts come out as the profile says, through the real APDUs, within the allowlist.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from smartcard import scard

from drivers.card.certs import load_trust_anchors
from drivers.card.emulator.card import ChipFault, EmulatedCard
from drivers.card.emulator.testca import stand_in_ca
from drivers.card.pcsc import ReaderExtendedLength, read_connection
from drivers.card.precheck import ExtendedLength, TransportError
from drivers.card.profiles import PROFILES, profile
from drivers.card.settings import ReaderConfig
from kiosk.domain.model import CardKind
from tests.drivers.card.card_facts_allowlist import outside_allowlist
from tests.drivers.card.fake_pyscard import EmulatedConnection, ShortApduReader, is_extended

TODAY = date(2026, 11, 26)
SETTINGS = ReaderConfig()
NO_ANSWER = ("unreadable", "chip-garbage")  # chip faults: the reader gets no usable answer


def connection(name: str) -> EmulatedConnection:
    return EmulatedConnection(EmulatedCard(profile(name), TODAY))


@pytest.mark.parametrize("name", [n for n in PROFILES if n not in NO_ANSWER])
def test_each_profile_reads_as_its_facts_within_the_allowlist(name: str) -> None:
    conn = connection(name)

    reading = read_connection(conn, SETTINGS)

    assert reading.facts == PROFILES[name].facts(TODAY)
    assert outside_allowlist(conn.received) == []


@pytest.mark.parametrize("name", NO_ANSWER)
def test_a_chip_that_gives_no_usable_answer_is_no_verdict_for_the_session(name: str) -> None:
    # The session stops; the reader then asks pcscd whether the card is still there (tests/system).
    with pytest.raises(TransportError):
        read_connection(connection(name), SETTINGS)


def test_an_extended_length_card_is_read_in_16_commands_and_a_short_one_in_more() -> None:
    extended = read_connection(connection("extended-length"), SETTINGS)
    short = read_connection(connection("short-apdu-only"), SETTINGS)

    assert len(extended.apdus) == 16
    assert sum(a.startswith("READ BINARY") and a.endswith("ext") for a in extended.apdus) == 2
    assert len(short.apdus) > 16
    assert short.facts == extended.facts


READER_REFUSALS = {
    "not transacted": {"fails_with": scard.SCARD_E_NOT_TRANSACTED},
    "insufficient buffer": {"fails_with": scard.SCARD_E_INSUFFICIENT_BUFFER},
    "comm error": {"fails_with": scard.SCARD_F_COMM_ERROR},
    "answers 6700": {"fails_with": None, "answer": bytes.fromhex("6700")},
}


@pytest.mark.parametrize("refusal", READER_REFUSALS)
def test_a_reader_that_refuses_extended_apdus_falls_back_to_short_reads(refusal: str) -> None:
    conn = ShortApduReader(EmulatedCard(profile("extended-length"), TODAY), **READER_REFUSALS[refusal])

    reading = read_connection(conn, SETTINGS)

    assert reading.facts == PROFILES["extended-length"].facts(TODAY)
    assert conn.refused == 1  # one try, then short reads for the rest of the card
    assert not any(is_extended(r.apdu) for r in conn.received)  # the card never saw one
    assert outside_allowlist(conn.received) == []


@pytest.mark.parametrize("refusal", ["not transacted", "insufficient buffer"])
def test_a_reader_whose_transmit_of_extended_apdus_fails_is_remembered_after_the_first_card(refusal: str) -> None:
    reader = ReaderExtendedLength()
    refused, outcomes = [], []
    for name in ("valid", "sign-locked", "extended-length"):
        conn = ShortApduReader(EmulatedCard(profile(name), TODAY), **READER_REFUSALS[refusal])
        reading = read_connection(conn, SETTINGS, reader=reader)
        assert reading.facts == PROFILES[name].facts(TODAY)
        refused.append(conn.refused)
        outcomes.append(reading.extended_length)

    assert refused == [1, 0, 0]
    assert outcomes == [ExtendedLength.NOT_CARRIED, ExtendedLength.NOT_TRIED, ExtendedLength.NOT_TRIED]


def test_a_reader_answering_6700_to_extended_apdus_is_remembered_after_two_cards_in_a_row() -> None:
    reader = ReaderExtendedLength()
    refused = []
    for name in ("valid", "sign-locked", "extended-length", "valid"):
        conn = ShortApduReader(EmulatedCard(profile(name), TODAY), **READER_REFUSALS["answers 6700"])
        assert read_connection(conn, SETTINGS, reader=reader).facts == PROFILES[name].facts(TODAY)
        refused.append(conn.refused)

    assert refused == [1, 1, 0, 0]


def test_one_short_apdu_card_does_not_make_the_reader_short_only() -> None:
    reader = ReaderExtendedLength()
    short = read_connection(connection("short-apdu-only"), SETTINGS, reader=reader)
    extended = read_connection(connection("extended-length"), SETTINGS, reader=reader)
    again = read_connection(connection("short-apdu-only"), SETTINGS, reader=reader)

    assert short.extended_length is ExtendedLength.REFUSED
    assert extended.extended_length is ExtendedLength.WORKS
    assert len(extended.apdus) == 16
    assert again.extended_length is ExtendedLength.REFUSED and reader.allowed


def test_a_card_gone_at_the_extended_read_is_no_verdict_and_teaches_the_reader_nothing() -> None:
    class GoneAtTheExtendedRead(EmulatedConnection):
        def doTransmit(self, command: list[int], protocol: object = None) -> tuple[list[int], int, int]:
            if is_extended(bytes(command)):
                self.card.traits = replace(self.card.traits, fault=ChipFault.MUTE)  # left the field
            return super().doTransmit(command, protocol)

    reader = ReaderExtendedLength()
    with pytest.raises(TransportError):
        read_connection(GoneAtTheExtendedRead(EmulatedCard(profile("valid"), TODAY)), SETTINGS, reader=reader)
    assert reader.allowed


def test_card_expiry_falls_back_to_the_common_record_when_get_data_is_refused() -> None:
    reading = read_connection(connection("card-expiring"), SETTINGS)

    assert reading.facts.card_expiry == PROFILES["card-expiring"].facts(TODAY).card_expiry
    assert "READ RECORD 1" in reading.apdus


def test_a_smartphone_is_told_apart_by_its_token_label_after_five_commands() -> None:
    reading = read_connection(connection("smartphone-jpki"), SETTINGS)

    assert reading.facts.kind is CardKind.SMARTPHONE_JPKI
    assert len(reading.apdus) == 5


def test_a_transit_card_is_known_by_its_atr_without_any_command() -> None:
    conn = connection("unknown-card")

    assert read_connection(conn, SETTINGS).facts.kind is CardKind.OTHER
    assert conn.received == []


def test_auth_certificate_chains_to_installed_trust_anchors(tmp_path: Path) -> None:
    (tmp_path / "jlis-test.pem").write_bytes(stand_in_ca().ca_cert.public_bytes(Encoding.PEM))
    settings = replace(SETTINGS, trust_anchors=tmp_path)

    reading = read_connection(connection("valid"), settings, load_trust_anchors(tmp_path))

    assert reading.facts.auth_cert_chain_ok is True
    assert reading.auth_cert_issuer is not None and "JPKI" in reading.auth_cert_issuer


def test_auth_certificate_from_another_ca_than_the_anchors_does_not_chain(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "another CA")])
    other = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(7).not_valid_before(stand_in_ca().ca_cert.not_valid_before_utc)
        .not_valid_after(stand_in_ca().ca_cert.not_valid_after_utc).sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp_path / "other.der").write_bytes(other.public_bytes(Encoding.DER))

    reading = read_connection(connection("valid"), SETTINGS, load_trust_anchors(tmp_path))

    assert reading.facts.auth_cert_chain_ok is False


def test_without_trust_anchors_the_chain_is_unknown_not_ok() -> None:
    assert read_connection(connection("valid"), SETTINGS).facts.auth_cert_chain_ok is None
