"""An emulated My Number card (and the other cards a visitor may tap), at the APDU level.

Built from a named profile (`drivers.card.profiles`): the same facts the simulated reader hands
out, turned into the applications, files, PIN counters and status words of card-facts.md, with
real DER certificates from the test CA. It answers what a real card would, including to commands
the kiosk must never send (VERIFY with data, the My Number file): that way the log of received
commands, not the emulator's manners, proves the driver's allowlist. Pure: no sockets, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from drivers.card import layout as L
from drivers.card.apdu import (
    SW_BLOCKED,
    SW_CLA_NOT_SUPPORTED,
    SW_DATA_NOT_FOUND,
    SW_END_OF_FILE,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_LOCKED,
    SW_NO_CURRENT_EF,
    SW_OK,
    SW_SECURITY,
    SW_WRONG_LENGTH,
    SW_WRONG_OFFSET,
    SW_WRONG_P1P2,
    MalformedData,
    parse_command,
)
from drivers.card.emulator.testca import auth_certificate, stand_in_ca
from drivers.card.profiles import CardProfile
from kiosk.domain.model import CardFacts, CardKind, FreeArea

# A Type B card as a PC/SC reader synthesises its ATR (3B 88 80 01 + ATQB data + protocol info + TCK).
MYNUMBER_ATR_BODY = bytes.fromhex("3B8880010000000000718100")
FELICA_ATR_BODY = bytes.fromhex("3B8F8001804F0CA00000030611003B00000000")

FREE_NVM_ENOUGH = 40_000
FREE_NVM_SMALL = 512


def with_tck(body: bytes) -> bytes:
    tck = 0
    for b in body[1:]:
        tck ^= b
    return body + bytes((tck,))


class ChipFault(StrEnum):
    MUTE = "mute"  # no answer to any command: the reader times out
    GARBAGE = "garbage"  # answers that are no response APDU
    SLOW = "slow"  # correct answers, each after a delay


@dataclass(frozen=True)
class Traits:
    """What only shows at the APDU level; the facts come from the profile."""

    extended_length: bool = True
    get_data_expiry: bool = True  # answers GET DATA F2; else the driver falls back to the common record
    fault: ChipFault | None = None


TRAITS: dict[str, Traits] = {
    "unreadable": Traits(fault=ChipFault.MUTE),
    "chip-garbage": Traits(fault=ChipFault.GARBAGE),
    "chip-slow": Traits(fault=ChipFault.SLOW),
    "short-apdu-only": Traits(extended_length=False),
    "card-expiring": Traits(get_data_expiry=False),  # an older card OS: expiry from the common record
}


@dataclass
class Pin:
    value: bytes
    tries: int


@dataclass
class App:
    name: str
    aid: bytes
    files: dict[bytes, bytes] = field(default_factory=dict)
    protected: frozenset[bytes] = frozenset()  # readable only after a PIN: answered 69 82 here
    pins: dict[bytes, Pin] = field(default_factory=dict)
    records: dict[bytes, bytes] = field(default_factory=dict)


class EmulatedCard:
    def __init__(self, profile: CardProfile, today: date) -> None:
        self.profile = profile
        self.facts: CardFacts = profile.facts(today)
        self.traits = TRAITS.get(profile.name, Traits())
        self.apps: list[App] = []
        self.mf: App | None = None
        self.atr = with_tck(FELICA_ATR_BODY if self.facts.kind is CardKind.OTHER else MYNUMBER_ATR_BODY)
        self._garbage = 0
        self._build()
        self.reset()

    def reset(self) -> None:
        self.app: App | None = None  # None: card level (after reset the GP ISD answers GET DATA)
        self.ef: bytes | None = None

    # --- the card's content, from the facts ---

    def _build(self) -> None:
        facts, kind = self.facts, self.facts.kind
        if kind is CardKind.MYNUMBER_CARD:
            self._build_mynumber(facts)
        elif kind in (CardKind.SMARTPHONE_JPKI, CardKind.JUKI_CARD):
            label = L.TokenLabel.ANDROID if kind is CardKind.SMARTPHONE_JPKI else L.TokenLabel.JUKI_CARD
            self.apps.append(App("jpki", L.AID_JPKI, files={L.EF_TOKEN_INFO: _label(label)}))
        elif kind is CardKind.LEGACY_LICENSE:
            expiry = facts.legacy_licence_expiry or date(2030, 1, 1)
            self.mf = App("mf", b"", files={L.EF_LICENCE_COMMON: _licence_common(expiry)})
            self.apps.append(App("licence_df1", L.AID_LICENCE_DF1, protected=frozenset({bytes.fromhex("0001")})))
        elif kind is CardKind.UNREADABLE and self.traits.fault is None:
            self.traits = Traits(fault=ChipFault.MUTE)

    def _build_mynumber(self, facts: CardFacts) -> None:
        pki = stand_in_ca()
        auth_der = auth_certificate(facts.auth_cert_not_after or date(2030, 1, 1))
        sign = facts.signature_cert_present is not False
        jpki = App(
            "jpki",
            L.AID_JPKI,
            files={
                L.EF_TOKEN_INFO: _label(L.TokenLabel.MYNUMBER_CARD) + bytes(32),
                L.EF_CERT_FLAGS: bytes((L.CERT_PRESENT if sign else 0x00, L.CERT_PRESENT, 0x00)),
                L.EF_AUTH_CERT: _padded(auth_der, 2048),
                L.EF_AUTH_CA_CERT: _padded(pki.ca_der, 2048),
                L.EF_SIGN_CA_CERT: _padded(pki.ca_der, 2048),
            },
            pins={L.EF_AUTH_PIN: Pin(b"1234", _tries(facts.pin_tries.user_auth, L.AUTH_PIN_TRIES))},
        )
        if sign:
            jpki.files[L.EF_SIGN_CERT] = _padded(b"\x30\x03\x02\x01\x00", 2048)  # stands for personal data
            jpki.protected = frozenset({L.EF_SIGN_CERT})
            jpki.pins[L.EF_SIGN_PIN] = Pin(b"ABC123", _tries(facts.pin_tries.signature, L.SIGN_PIN_TRIES))
        input_support = App(
            "input_support",
            L.AID_INPUT_SUPPORT,
            files={L.EF_MY_NUMBER: b"MYNUMBER-NOT-HERE", L.EF_NAME_ADDRESS: b"NAME-ADDRESS-NOT-HERE"},
            protected=frozenset({L.EF_MY_NUMBER, L.EF_NAME_ADDRESS}),
            pins={L.EF_INPUT_PIN: Pin(b"1234", _tries(facts.pin_tries.input_support, L.INPUT_PIN_TRIES))},
        )
        expiry = (facts.card_expiry or date(2030, 1, 1)).strftime("%Y%m%d").encode()
        common = App(
            "common",
            L.AID_COMMON,
            records={L.EF_COMMON_DATA: b"\x01\x1c" + b"0" * 15 + b"00000" + expiry},
        )
        self.apps += [
            jpki,
            input_support,
            App("card_face", L.AID_CARD_FACE),
            App("juki", L.AID_JUKI),
            common,
            App("gp_isd", L.AID_GP_ISD),
        ]
        if facts.licence_data_present:
            self.apps.append(App("licence", L.AID_LICENCE))

    # --- answering ---

    def where(self) -> tuple[str, str | None]:
        """(selected application, selected EF) for the log of received commands."""
        return (self.app.name if self.app else "card", self.ef.hex().upper() if self.ef is not None else None)

    def respond(self, raw: bytes) -> bytes | None:
        """The chip's answer as the reader gets it: None when a mute chip says nothing."""
        fault = self.traits.fault
        if fault is ChipFault.MUTE:
            return None
        if fault is ChipFault.GARBAGE:
            self._garbage += 1
            return b"\x3f" if self._garbage % 2 else b"\x12\x34\x56\x78"
        return self.process(raw)

    def process(self, raw: bytes) -> bytes:
        """The answer of a healthy chip."""
        try:
            cmd = parse_command(raw)
        except MalformedData:
            return _sw(SW_WRONG_LENGTH)
        if cmd.cla not in (0x00, 0x80):
            return _sw(SW_CLA_NOT_SUPPORTED)
        if cmd.extended and not self.traits.extended_length:
            return _sw(SW_WRONG_LENGTH)
        if self.facts.kind is CardKind.OTHER:
            return _sw(SW_INS_NOT_SUPPORTED)
        handler = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0xB2: self._read_record,
            0x20: self._verify,
            0xCA: self._get_data,
        }.get(cmd.ins)
        if handler is None:
            return _sw(SW_INS_NOT_SUPPORTED)
        return handler(cmd.cla, cmd.p1, cmd.p2, cmd.data, cmd.le)

    def _select(self, cla: int, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p1 == 0x04:
            for app in self.apps:
                if data and app.aid.startswith(data):  # real cards select by prefix
                    self.app, self.ef = app, None
                    return _sw(SW_OK)
            return _sw(SW_FILE_NOT_FOUND)
        if p1 == 0x00 and not data:
            if self.mf is None:
                return _sw(SW_FILE_NOT_FOUND)
            self.app, self.ef = self.mf, None
            return _sw(SW_OK)
        if p1 == 0x02:
            current = self.app
            if current is None or all(data not in where for where in (current.files, current.pins, current.records)):
                return _sw(SW_FILE_NOT_FOUND)
            self.ef = data
            return _sw(SW_OK)
        return _sw(SW_WRONG_P1P2)

    def _read_binary(self, cla: int, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        app = self.app
        if app is None or self.ef is None or self.ef not in app.files:
            return _sw(SW_NO_CURRENT_EF)
        if self.ef in app.protected:
            return _sw(SW_SECURITY)
        content = app.files[self.ef]
        offset = (p1 << 8) | p2
        if offset >= len(content):
            return _sw(SW_WRONG_OFFSET)
        want = le or 256
        chunk = content[offset : offset + want]
        return chunk + _sw(SW_END_OF_FILE if len(chunk) < want else SW_OK)

    def _read_record(self, cla: int, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        app = self.app
        if app is None or self.ef is None or self.ef not in app.records:
            return _sw(SW_NO_CURRENT_EF)
        if p1 != 1 or p2 != 0x04:
            return _sw(0x6A83)  # record not found
        return app.records[self.ef] + _sw(SW_OK)

    def _verify(self, cla: int, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        app = self.app
        if app is None:
            return _sw(SW_NO_CURRENT_EF)
        if p2 == 0x80:
            fid = self.ef
        elif p2 & 0x80:
            fid = bytes((0x00, p2 & 0x1F))
        else:
            return _sw(SW_WRONG_P1P2)
        pin = app.pins.get(fid) if fid is not None else None
        if pin is None:
            return _sw(SW_DATA_NOT_FOUND)
        if not data:
            return _sw(SW_LOCKED if pin.tries == 0 else 0x63C0 | pin.tries)
        # What a real card does with a PIN. The kiosk never gets here; the received log proves it.
        if pin.tries == 0:
            return _sw(SW_BLOCKED)
        if data == pin.value:
            return _sw(SW_OK)
        pin.tries -= 1
        return _sw(0x63C0 | pin.tries)

    def _get_data(self, cla: int, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if self.app is not None and self.app.name != "gp_isd":
            return _sw(SW_DATA_NOT_FOUND)
        if self.facts.kind is not CardKind.MYNUMBER_CARD:
            return _sw(SW_INS_NOT_SUPPORTED)
        if (cla, p1, p2) == (0x00, 0x00, 0xF2) and self.traits.get_data_expiry:
            return (self.facts.card_expiry or date(2030, 1, 1)).strftime("%Y%m%d").encode() + _sw(SW_OK)
        if (cla, p1, p2) == (0x00, 0x00, 0xF0):
            return b"00000" + _sw(SW_OK)
        if (cla, p1, p2) == (0x80, 0xFF, 0x21):
            if self.facts.free_area is FreeArea.UNKNOWN:
                return _sw(SW_SECURITY)  # refused without a secure channel
            free = FREE_NVM_ENOUGH if self.facts.free_area is FreeArea.ENOUGH else FREE_NVM_SMALL
            inner = b"\x81\x02\x00\x05" + b"\x82\x04" + free.to_bytes(4, "big") + b"\x83\x02\x04\x00"
            return b"\xff\x21" + bytes((len(inner),)) + inner + _sw(SW_OK)
        return _sw(SW_DATA_NOT_FOUND)


def _sw(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


def _label(label: L.TokenLabel) -> bytes:
    return label.value.encode().ljust(32, b" ")


def _padded(der: bytes, size: int) -> bytes:
    return der + b"\xff" * max(0, size - len(der))


def _tries(tries: int | None, limit: int) -> int:
    return limit if tries is None else tries


def _licence_common(expiry: date) -> bytes:
    issue = date(expiry.year - 5, expiry.month, min(expiry.day, 28))
    return b"\x45\x0b" + b"008" + _bcd(issue) + _bcd(expiry) + b"\x46\x02\x01\x01"


def _bcd(day: date) -> bytes:
    return bytes.fromhex(day.strftime("%Y%m%d"))
