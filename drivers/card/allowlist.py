"""The only commands that may leave the card driver, checked on the encoded bytes just before they go.

Privacy and lock safety by construction (card-facts.md, "Never"): the kiosk never sends VERIFY with
data (so it can never consume a PIN try or lock a card), never reads a file holding personal data
(the My Number, name, address, the signature certificate, licence DF1/DF2), and never selects an
application it has no business in. File ids mean different things in different applications
(`0001` is the signature certificate in JPKI, the My Number in 券面事項入力補助 and the common
record in 共通カード), so the check follows what is selected: a small state machine fed with each
command and its answer. Anything not listed raises `ForbiddenCommand` before the reader sees it.
"""

from __future__ import annotations

from enum import StrEnum

from drivers.card import layout as L
from drivers.card.apdu import (
    INS_GET_DATA,
    INS_READ_BINARY,
    INS_READ_RECORD,
    INS_SELECT,
    INS_VERIFY,
    Command,
    MalformedData,
    Response,
    parse_command,
)
from kiosk.errors import ForbiddenCommand


class Selected(StrEnum):
    CARD = "card"  # after reset: card level, where GET DATA is answered
    GP_ISD = "gp_isd"
    JPKI = "jpki"
    INPUT_SUPPORT = "input_support"
    COMMON = "common"
    LICENCE = "licence"
    MF = "mf"
    UNKNOWN = "unknown"  # a SELECT failed: the card's selection is not known, so nothing is read


SELECTABLE_AIDS: dict[bytes, Selected] = {
    L.AID_GP_ISD: Selected.GP_ISD,
    L.AID_JPKI: Selected.JPKI,
    L.AID_INPUT_SUPPORT: Selected.INPUT_SUPPORT,
    L.AID_COMMON: Selected.COMMON,
    L.AID_LICENCE: Selected.LICENCE,
}

SELECTABLE_EFS: dict[Selected, frozenset[bytes]] = {
    Selected.JPKI: frozenset(
        {L.EF_TOKEN_INFO, L.EF_CERT_FLAGS, L.EF_AUTH_CERT, L.EF_AUTH_CA_CERT, L.EF_AUTH_PIN, L.EF_SIGN_PIN}
    ),
    Selected.INPUT_SUPPORT: frozenset({L.EF_INPUT_PIN}),
    Selected.COMMON: frozenset({L.EF_COMMON_DATA}),
    Selected.MF: frozenset({L.EF_LICENCE_COMMON}),
}

READABLE: frozenset[tuple[Selected, bytes]] = frozenset(
    {
        (Selected.JPKI, L.EF_TOKEN_INFO),
        (Selected.JPKI, L.EF_CERT_FLAGS),
        (Selected.JPKI, L.EF_AUTH_CERT),
        (Selected.JPKI, L.EF_AUTH_CA_CERT),
        (Selected.MF, L.EF_LICENCE_COMMON),
    }
)
RECORDS: frozenset[tuple[Selected, bytes]] = frozenset({(Selected.COMMON, L.EF_COMMON_DATA)})

PIN_QUERIES: dict[Selected, frozenset[int]] = {
    Selected.JPKI: frozenset({L.P2_AUTH_PIN, L.P2_SIGN_PIN}),
    Selected.INPUT_SUPPORT: frozenset({L.P2_INPUT_PIN}),
}
PIN_FILES: frozenset[tuple[Selected, bytes]] = frozenset(
    {(Selected.JPKI, L.EF_AUTH_PIN), (Selected.JPKI, L.EF_SIGN_PIN), (Selected.INPUT_SUPPORT, L.EF_INPUT_PIN)}
)

GET_DATA_OBJECTS = frozenset({L.GET_DATA_EXPIRY, L.GET_DATA_CARD_RESOURCES})


class Allowlist:
    """Follows the card's selection and refuses every command card-facts.md does not allow there."""

    def __init__(self) -> None:
        self.selected = Selected.CARD
        self.ef: bytes | None = None

    def reset(self) -> None:
        self.selected, self.ef = Selected.CARD, None

    def check(self, raw: bytes) -> Command:
        """The parsed command when it may be sent; raises ForbiddenCommand otherwise."""
        try:
            cmd = parse_command(raw)
        except MalformedData as exc:
            raise ForbiddenCommand(f"not a well-formed APDU: {exc}") from None
        reason = self._refusal(cmd)
        if reason is not None:
            # The header says which command; data bytes could be a PIN, so they never reach the message.
            raise ForbiddenCommand(f"{raw[:4].hex(' ').upper()}: {reason}")
        return cmd

    def answered(self, cmd: Command, response: Response) -> None:
        """Track the card's selection from a command that was sent and its answer."""
        if cmd.ins != INS_SELECT:
            return
        if cmd.p1 == 0x04:
            self.selected = SELECTABLE_AIDS[cmd.data] if response.ok else Selected.UNKNOWN
            self.ef = None
        elif cmd.p1 == 0x00:
            self.selected = Selected.MF if response.ok else Selected.UNKNOWN
            self.ef = None
        elif cmd.p1 == 0x02:
            self.ef = cmd.data if response.ok else None

    def _refusal(self, cmd: Command) -> str | None:
        if cmd.cla not in (0x00, 0x80) or (cmd.cla == 0x80 and cmd.ins != INS_GET_DATA):
            return "class byte not allowed"
        if cmd.ins == INS_SELECT:
            return self._select(cmd)
        if cmd.ins == INS_VERIFY:
            return self._verify(cmd)
        if cmd.ins == INS_READ_BINARY:
            if cmd.data or cmd.le is None or cmd.p1 & 0x80:
                return "READ BINARY only with Le, no data and no SFI addressing"
            if self.ef is None or (self.selected, self.ef) not in READABLE:
                return f"reading file {self._where()} is not allowed"
            return None
        if cmd.ins == INS_READ_RECORD:
            if cmd.data or (cmd.p1, cmd.p2) != (1, 0x04) or self.ef is None:
                return "READ RECORD only of record 1 of the current EF"
            if (self.selected, self.ef) not in RECORDS:
                return f"reading records of {self._where()} is not allowed"
            return None
        if cmd.ins == INS_GET_DATA:
            if cmd.data or (cmd.cla, cmd.p1, cmd.p2) not in GET_DATA_OBJECTS:
                return "GET DATA of this object is not allowed"
            if self.selected not in (Selected.CARD, Selected.GP_ISD):
                return "GET DATA only at card level"
            return None
        return f"instruction {cmd.ins:02X} is never sent"

    def _select(self, cmd: Command) -> str | None:
        if cmd.le is not None:
            return "SELECT without response data only"
        if (cmd.p1, cmd.p2) == (0x04, 0x0C):
            return None if cmd.data in SELECTABLE_AIDS else "application not allowed"
        if (cmd.p1, cmd.p2) == (0x00, 0x00):
            return None if not cmd.data else "SELECT MF takes no data"
        if (cmd.p1, cmd.p2) == (0x02, 0x0C):
            allowed = SELECTABLE_EFS.get(self.selected, frozenset())
            return None if cmd.data in allowed else f"file {cmd.data.hex().upper()} not allowed in {self.selected}"
        return "SELECT form not allowed"

    def _verify(self, cmd: Command) -> str | None:
        if cmd.data or cmd.le is not None:
            return "VERIFY with data is never sent: the kiosk takes no PIN"
        if cmd.p1 != 0x00:
            return "VERIFY P1 must be 00"
        if cmd.p2 in PIN_QUERIES.get(self.selected, frozenset()):
            return None
        if cmd.p2 == L.P2_CURRENT_EF and self.ef is not None and (self.selected, self.ef) in PIN_FILES:
            return None
        return f"VERIFY {cmd.p2:02X} not allowed in {self._where()}"

    def _where(self) -> str:
        return f"{self.selected}/{self.ef.hex().upper() if self.ef else '-'}"
