"""The pre-check reading session: which APDUs the kiosk sends to a tapped card, and what it makes of the answers.

Independent of PC/SC: it talks to a `Transport` (bytes in, bytes out), so the same session runs
behind pyscard, a fake pyscard connection in tests, or anything else. Every command goes through
the allowlist first. Answers that do not parse, or say something unexpected, leave the fact
"not known" (None / UNKNOWN): a broken answer never turns into a verdict.

The sequence is ordered for few round trips (each costs tens of ms on a contactless reader):
  GET DATA F2 (expiry) and GP GET DATA FF21 (free memory) at card level, before any SELECT;
  SELECT JPKI; token label; certificate flags; auth certificate and its CA (one extended READ
  BINARY each when the card takes extended Le, else 256-byte reads); VERIFY-no-data with SFI P2
  for the auth PIN and signature password; SELECT input support + VERIFY-no-data; SELECT the
  licence application. That is 16 APDUs for a card with extended length.

Extended length can fail in two places: the card answers a status word (67 00, 6D 00, ...), or
the reader or its driver cannot carry the APDU and the transmit itself fails (pcscd answers
SCARD_E_NOT_TRANSACTED or the like). Either way the rest of the card is read with short APDUs; a
failed transmit counts as the reader's only when the same read as a short APDU then works (a card
that left fails that too). The reading says which it was, so the driver can remember its reader.

Past ~400 lines: one session, one small method per fact, in the order the commands go out; split,
the sequence the allowlist's file checks rely on would be spread over modules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from cryptography import x509

from drivers.card import layout as L
from drivers.card.allowlist import Allowlist
from drivers.card.apdu import (
    EXTENDED_MAX,
    SHORT_MAX,
    SW_END_OF_FILE,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    Command,
    MalformedData,
    Response,
    der_total_length,
    get_data,
    parse_ascii_date,
    parse_bcd_date,
    parse_response,
    parse_tlv,
    read_binary,
    read_record,
    select_aid,
    select_ef,
    select_mf,
    tries_left,
    verify_query,
)
from drivers.card.certs import MAX_CERT_BYTES, CertificateError, check_auth_certificate
from kiosk.domain.model import CardFacts, CardKind, FreeArea, PinTries

log = logging.getLogger(__name__)


class TransportError(Exception):
    """No answer came back (card gone, chip mute, reader or pcscd gone). The caller finds out which."""


class Transport(Protocol):
    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; return the response APDU (data + SW1 SW2). Raises TransportError."""
        ...


class ExtendedLength(StrEnum):
    """How the read's extended-length READ BINARY went."""

    NOT_TRIED = "not tried"  # no certificate read, or the reader is known to refuse them
    WORKS = "works"
    REFUSED = "refused"  # a status word: the card, or a reader answering for it (cannot tell which)
    NOT_CARRIED = "not carried"  # the transmit failed and the same read as a short APDU worked: the reader


@dataclass(frozen=True)
class CardReading:
    """What one read found: the facts, plus what maintenance staff may see (`kiosk card-probe`)."""

    facts: CardFacts
    auth_cert_issuer: str | None
    apdus: tuple[str, ...]  # the commands sent, by name, in order; no payloads
    extended_length: ExtendedLength = ExtendedLength.NOT_TRIED


_NAMES = {
    L.AID_JPKI: "JPKI",
    L.AID_INPUT_SUPPORT: "INPUT-SUPPORT",
    L.AID_COMMON: "COMMON",
    L.AID_LICENCE: "LICENCE",
    L.AID_GP_ISD: "GP-ISD",
}
_LABELS = {label.value: label for label in L.TokenLabel}
_KINDS = {
    L.TokenLabel.MYNUMBER_CARD: CardKind.MYNUMBER_CARD,
    L.TokenLabel.ANDROID: CardKind.SMARTPHONE_JPKI,
    L.TokenLabel.IOS: CardKind.SMARTPHONE_JPKI,
    L.TokenLabel.JUKI_CARD: CardKind.JUKI_CARD,
}
_UNSUPPORTED_EXTENDED = (SW_WRONG_LENGTH, SW_INS_NOT_SUPPORTED, 0x6E00, 0x6A86)


def _name(cmd: Command) -> str:
    if cmd.ins == 0xA4 and cmd.p1 == 0x04:
        return f"SELECT {_NAMES.get(cmd.data, cmd.data.hex().upper())}"
    if cmd.ins == 0xA4 and cmd.p1 == 0x02:
        return f"SELECT EF {cmd.data.hex().upper()}"
    if cmd.ins == 0xA4:
        return "SELECT MF"
    if cmd.ins == 0xB0:
        return f"READ BINARY @{(cmd.p1 << 8) | cmd.p2} Le={cmd.le}{' ext' if cmd.extended else ''}"
    if cmd.ins == 0xB2:
        return f"READ RECORD {cmd.p1}"
    if cmd.ins == 0x20:
        return f"VERIFY-no-data {cmd.p2:02X}"
    if cmd.ins == 0xCA:
        return f"GET DATA {cmd.p1:02X}{cmd.p2:02X}"
    return f"{cmd.ins:02X}"


class ReadingSession:
    def __init__(
        self,
        transport: Transport,
        anchors: tuple[x509.Certificate, ...],
        free_area_needed: int,
        *,
        extended_allowed: bool = True,
    ) -> None:
        self._transport = transport
        self._anchors = anchors
        self._free_area_needed = free_area_needed
        self._allowlist = Allowlist()
        # extended Le: not tried yet / works / refused (or the reader is known to refuse it)
        self._extended: bool | None = None if extended_allowed else False
        self._extended_outcome = ExtendedLength.NOT_TRIED
        self._trace: list[str] = []
        self._issuer: str | None = None

    # --- sending ---

    def send(self, cmd: Command) -> Response | None:
        """One command through the allowlist; None when the answer was not a valid response APDU."""
        raw = cmd.encode()
        self._allowlist.check(raw)  # raises ForbiddenCommand: nothing reaches the transport
        self._trace.append(_name(cmd))
        reply = self._transport.transmit(raw)
        try:
            response = parse_response(reply)
            if cmd.le is None and response.data:
                raise MalformedData("data in answer to a command that asked for none")
        except MalformedData:
            self._allowlist.answered(cmd, Response(b"", 0x6F00))  # an unknown answer selects nothing
            return None
        self._allowlist.answered(cmd, response)
        return response

    def _ok(self, cmd: Command) -> Response | None:
        response = self.send(cmd)
        return response if response is not None and response.ok else None

    # --- the whole read ---

    def read(self, atr: bytes) -> CardReading:
        facts = self._read(atr)
        return CardReading(
            facts=facts,
            auth_cert_issuer=self._issuer,
            apdus=tuple(self._trace),
            extended_length=self._extended_outcome,
        )

    def _read(self, atr: bytes) -> CardFacts:
        if atr.startswith(L.STORAGE_CARD_ATR_PREFIX):
            return CardFacts(kind=CardKind.OTHER)  # FeliCa / MIFARE: no applications to ask
        card_expiry = self._card_expiry_by_get_data()
        free_area = self._free_area()
        jpki = self.send(select_aid(L.AID_JPKI))
        if jpki is not None and jpki.sw == SW_FILE_NOT_FOUND:
            return self._not_jpki()
        if jpki is None or not jpki.ok:
            return CardFacts(kind=CardKind.UNREADABLE)  # a card that will not say whether it has JPKI
        kind = self._token_kind()
        if kind is not CardKind.MYNUMBER_CARD:
            return CardFacts(kind=kind)
        sign_present = self._signature_cert_present()
        auth_der = self._read_file(L.EF_AUTH_CERT)
        ca_der = self._read_file(L.EF_AUTH_CA_CERT) if auth_der is not None else None
        not_after, chain_ok = None, None
        if auth_der is not None and ca_der is not None:
            try:
                cert = check_auth_certificate(auth_der, ca_der, self._anchors)
            except CertificateError as exc:
                log.info("auth certificate unreadable: %s", exc)
            else:
                not_after, chain_ok, self._issuer = cert.not_after, cert.chain_ok, cert.issuer
        auth_tries = self._tries(verify_query(L.P2_AUTH_PIN), L.AUTH_PIN_TRIES)
        sign_tries = None
        if sign_present is not False:
            sign_tries = self._tries(verify_query(L.P2_SIGN_PIN), L.SIGN_PIN_TRIES)
        input_tries = self._input_support_tries()
        licence = self._licence_present()
        if card_expiry is None:
            card_expiry = self._card_expiry_by_common_record()
        return CardFacts(
            kind=CardKind.MYNUMBER_CARD,
            card_expiry=card_expiry,
            auth_cert_not_after=not_after,
            auth_cert_chain_ok=chain_ok,
            signature_cert_present=sign_present,
            pin_tries=PinTries(user_auth=auth_tries, signature=sign_tries, input_support=input_tries),
            licence_data_present=licence,
            free_area=free_area,
        )

    # --- the facts, one by one ---

    def _card_expiry_by_get_data(self) -> date | None:
        cla, p1, p2 = L.GET_DATA_EXPIRY
        response = self._ok(get_data(cla, p1, p2))
        if response is None:
            return None
        try:
            return parse_ascii_date(response.data)
        except MalformedData:
            return None

    def _card_expiry_by_common_record(self) -> date | None:
        if self._ok(select_aid(L.AID_COMMON)) is None or self._ok(select_ef(L.EF_COMMON_DATA)) is None:
            return None
        response = self._ok(read_record(1))
        # 01 1C, serial(15), municipality(5), expiry(8): only the expiry is looked at; the rest is dropped here.
        if response is None or len(response.data) != 30 or response.data[:2] != b"\x01\x1c":
            return None
        try:
            return parse_ascii_date(response.data[22:30])
        except MalformedData:
            return None

    def _free_area(self) -> FreeArea:
        cla, p1, p2 = L.GET_DATA_CARD_RESOURCES
        response = self._ok(get_data(cla, p1, p2))
        if response is None:
            return FreeArea.UNKNOWN  # refused without a secure channel: the usual answer
        try:
            outer = parse_tlv(response.data)
            resources = parse_tlv(outer[L.TAG_CARD_RESOURCES]) if L.TAG_CARD_RESOURCES in outer else {}
        except MalformedData:
            return FreeArea.UNKNOWN
        free = resources.get(L.TAG_FREE_NVM)
        if free is None or not 1 <= len(free) <= 4:
            return FreeArea.UNKNOWN
        return FreeArea.ENOUGH if int.from_bytes(free, "big") >= self._free_area_needed else FreeArea.INSUFFICIENT

    def _token_kind(self) -> CardKind:
        if self._ok(select_ef(L.EF_TOKEN_INFO)) is None:
            return CardKind.UNREADABLE
        response = self._ok(read_binary(0, 32))
        if response is None or len(response.data) != 32:
            return CardKind.UNREADABLE
        try:
            text = response.data.rstrip(b" \x00").decode("ascii")
        except UnicodeDecodeError:
            return CardKind.UNREADABLE
        label = _LABELS.get(text)
        # An unknown label is no reason to refuse a card as foreign: it could not be checked.
        return _KINDS[label] if label is not None else CardKind.UNREADABLE

    def _signature_cert_present(self) -> bool | None:
        if self._ok(select_ef(L.EF_CERT_FLAGS)) is None:
            return None
        response = self._ok(read_binary(0, 3))
        if response is None or len(response.data) != 3:
            return None
        flag = response.data[0]
        return True if flag == L.CERT_PRESENT else False if flag == 0x00 else None

    def _read_file(self, fid: bytes) -> bytes | None:
        """A DER file: the header tells the length; extended Le once, else 256-byte reads."""
        if self._ok(select_ef(fid)) is None:
            return None
        data = b""
        total: int | None = None
        for _ in range(MAX_CERT_BYTES // SHORT_MAX + 2):
            want = EXTENDED_MAX if total is None else total - len(data)
            chunk = self._read_chunk(len(data), want)
            if not chunk:
                return None
            data += chunk
            if total is None:
                try:
                    total = der_total_length(data)
                except MalformedData:
                    return None
                if total > MAX_CERT_BYTES:
                    return None
            if len(data) >= total:
                return data[:total]
        return None

    def _read_chunk(self, offset: int, want: int) -> bytes | None:
        if offset > 0x7FFF:
            return None
        if self._extended is not False:
            try:
                response = self.send(read_binary(offset, min(want, EXTENDED_MAX), extended=True))
            except TransportError:
                if self._extended is True:
                    raise  # extended reads worked on this card: the card or the reader went away
                # The reader, or the card gone: the short read below fails too when it was the card.
                self._extended, self._extended_outcome = False, ExtendedLength.NOT_CARRIED
                log.info("extended-length read not carried by the reader; short reads from now on")
            else:
                if response is not None and response.sw in _UNSUPPORTED_EXTENDED and self._extended is None:
                    # fall back to short reads for the rest of this card
                    self._extended, self._extended_outcome = False, ExtendedLength.REFUSED
                elif response is None or response.sw not in (0x9000, SW_END_OF_FILE):
                    return None
                else:
                    self._extended, self._extended_outcome = True, ExtendedLength.WORKS
                    return response.data
        response = self.send(read_binary(offset, min(want, SHORT_MAX)))
        if response is None or response.sw not in (0x9000, SW_END_OF_FILE):
            return None
        return response.data

    def _tries(self, cmd: Command, limit: int) -> int | None:
        response = self.send(cmd)
        if response is None or response.data:
            return None
        return tries_left(response.sw, limit)

    def _input_support_tries(self) -> int | None:
        if self._ok(select_aid(L.AID_INPUT_SUPPORT)) is None:
            return None
        response = self.send(verify_query(L.P2_INPUT_PIN))
        if response is not None and response.sw in (SW_WRONG_P1P2, SW_FILE_NOT_FOUND, 0x6A88):
            # No SFI addressing on this card: select the PIN file, ask about the current EF.
            if self._ok(select_ef(L.EF_INPUT_PIN)) is None:
                return None
            response = self.send(verify_query(L.P2_CURRENT_EF))
        if response is None or response.data:
            return None
        return tries_left(response.sw, L.INPUT_PIN_TRIES)

    def _licence_present(self) -> bool | None:
        response = self.send(select_aid(L.AID_LICENCE))
        if response is None:
            return None
        if response.ok:
            return True
        return False if response.sw == SW_FILE_NOT_FOUND else None

    def _not_jpki(self) -> CardFacts:
        """No JPKI application: a legacy IC driver's licence, or a card the kiosk cannot use.

        Only clean refusals (a status word) make it "another card"; a garbled answer, or a licence
        file whose content does not parse, makes it "unreadable": never a guess about what it is."""
        for cmd in (select_mf(), select_ef(L.EF_LICENCE_COMMON)):
            response = self.send(cmd)
            if response is None:
                return CardFacts(kind=CardKind.UNREADABLE)
            if response.sw == SW_FILE_NOT_FOUND:
                return CardFacts(kind=CardKind.OTHER)
            if not response.ok:
                return CardFacts(kind=CardKind.UNREADABLE)
        response = self.send(read_binary(0, 17))
        if response is None or not response.ok:
            return CardFacts(kind=CardKind.UNREADABLE)
        expiry = _legacy_expiry(response.data)
        if expiry is None:
            return CardFacts(kind=CardKind.UNREADABLE)
        return CardFacts(kind=CardKind.LEGACY_LICENSE, legacy_licence_expiry=expiry)


def _legacy_expiry(data: bytes) -> date | None:
    if len(data) != 17 or data[:2] != b"\x45\x0b" or data[13:15] != b"\x46\x02":
        return None
    try:
        return parse_bcd_date(data[9:13])
    except MalformedData:
        return None


def read_card(
    transport: Transport,
    atr: bytes,
    anchors: tuple[x509.Certificate, ...] = (),
    free_area_needed: int = 0,
    *,
    extended_allowed: bool = True,
) -> CardReading:
    """Run the whole pre-check read. Raises TransportError (no answer) or ForbiddenCommand (a bug of ours).

    `extended_allowed=False`: the reader is known to refuse extended-length APDUs; short reads only."""
    session = ReadingSession(transport, anchors, free_area_needed, extended_allowed=extended_allowed)
    return session.read(atr)
