"""card-facts.md's allowlist, written out again by hand for the tests, in bytes.

Independent of `drivers.card.allowlist` on purpose: the emulator logs what it received together
with what was selected at that moment, and this says whether card-facts.md allows it there.
"""

from __future__ import annotations

from drivers.card.emulator.vpcd import ReceivedApdu

AIDS = {
    "D392F000260100000001",  # JPKI
    "D3921000310001010408",  # input support (PIN query only)
    "D3921000310001010100",  # common card
    "A0000002310600000000000000000000",  # licence application (SELECT only)
    "A0000001510000",  # GP issuer security domain
}
SELECTABLE = {
    ("jpki", "0006"), ("jpki", "0008"), ("jpki", "000A"), ("jpki", "000B"), ("jpki", "0018"), ("jpki", "001B"),
    ("input_support", "0011"), ("common", "0001"), ("mf", "2F01"),
}  # fmt: skip
READABLE = {("jpki", "0006"), ("jpki", "0008"), ("jpki", "000A"), ("jpki", "000B"), ("mf", "2F01")}
PIN_FILES = {("jpki", "0018"), ("jpki", "001B"), ("input_support", "0011")}
PIN_QUERIES = {("jpki", 0x98), ("jpki", 0x9B), ("input_support", 0x91)}


def allowed(application: str, ef: str | None, apdu: bytes) -> bool:
    header, body = apdu[:4].hex().upper(), apdu[4:]
    if header == "00A4040C":
        return len(body) == body[0] + 1 and body[1:].hex().upper() in AIDS
    if header == "00A40000":
        return not body
    if header == "00A4020C":
        return len(body) == 3 and body[0] == 2 and (application, body[1:].hex().upper()) in SELECTABLE
    if header[:4] == "00B0":
        return apdu[2] < 0x80 and len(body) in (1, 3) and (application, ef) in READABLE
    if apdu.hex().upper() == "00B2010400":
        return (application, ef) == ("common", "0001")
    if header[:6] == "002000":
        if body:
            return False  # VERIFY with data: never
        return (application, apdu[3]) in PIN_QUERIES or (apdu[3] == 0x80 and (application, ef) in PIN_FILES)
    if apdu.hex().upper() in ("00CA00F200", "80CAFF2100"):
        return application in ("card", "gp_isd")
    return False


def outside_allowlist(received: list[ReceivedApdu]) -> list[str]:
    return [f"{r.profile}: {r.application}/{r.ef}: {r.apdu.hex().upper()}" for r in received
            if not allowed(r.application, r.ef, r.apdu)]  # fmt: skip
