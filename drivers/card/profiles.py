"""Named simulated cards: the facts a real pre-check would find on each kind of card a visitor taps.

Dates are relative to the day of the visit, so a profile means the same thing on any test clock.
A profile never holds personal data: the real card's would not reach the kiosk either. The card
emulator behind a real pcscd (`drivers.card.emulator`) models the same profiles at the APDU level,
adding what only shows there (short or extended APDUs, a mute, garbled or slow chip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.domain.model import CardFacts, CardKind, FreeArea, PinTries
from kiosk.errors import UsageError

FULL_TRIES = PinTries(user_auth=3, signature=5, input_support=3)


@dataclass(frozen=True)
class CardProfile:
    name: str
    description: str
    facts: Callable[[date], CardFacts]


def _mynumber(
    today: date,
    *,
    card_days: int = 6 * 365,
    cert_days: int = 3 * 365,
    sign_cert: bool | None = True,
    tries: PinTries = FULL_TRIES,
    licence: bool | None = False,
    free_area: FreeArea = FreeArea.ENOUGH,
) -> CardFacts:
    card_expiry = today + timedelta(days=card_days)
    # Certificates never outlive the card (card-facts.md), so clamp like the real issuer does.
    cert_expiry = min(today + timedelta(days=cert_days), card_expiry)
    return CardFacts(
        kind=CardKind.MYNUMBER_CARD,
        card_expiry=card_expiry,
        auth_cert_not_after=cert_expiry,
        auth_cert_chain_ok=None,  # no J-LIS trust anchors in a simulation: not verifiable, not false
        signature_cert_present=sign_cert,
        pin_tries=tries,
        licence_data_present=licence,
        free_area=free_area,
    )


_PROFILES = (
    CardProfile(
        "valid",
        "valid My Number card, no licence data yet, room for it",
        lambda t: _mynumber(t),
    ),
    CardProfile(
        "licence-present",
        "valid My Number card holding licence data (a マイナ免許証)",
        lambda t: _mynumber(t, licence=True),
    ),
    CardProfile(
        "licence-absent",
        "valid new My Number card without licence data; free area not reported",
        lambda t: _mynumber(t, licence=False, free_area=FreeArea.UNKNOWN),
    ),
    CardProfile(
        "card-expired",
        "My Number card past its expiry date (its certificates lapsed with it)",
        lambda t: _mynumber(t, card_days=-20, cert_days=-20, licence=True),
    ),
    CardProfile(
        "card-expiring",
        "My Number card expiring in 20 days",
        lambda t: _mynumber(t, card_days=20, cert_days=20),
    ),
    CardProfile(
        "cert-expired",
        "valid card whose 5-year e-certificates have expired",
        lambda t: _mynumber(t, cert_days=-30, licence=True),
    ),
    CardProfile(
        "sign-locked",
        "signature password locked after 5 wrong tries",
        lambda t: _mynumber(t, licence=True, tries=PinTries(user_auth=3, signature=0, input_support=3)),
    ),
    CardProfile(
        "user-pin-one-try",
        "user-authentication PIN with 1 try left",
        lambda t: _mynumber(t, licence=True, tries=PinTries(user_auth=1, signature=5, input_support=3)),
    ),
    CardProfile(
        "no-sign-cert",
        "no signature certificate (face-authentication card, under 15, or revoked after a move)",
        lambda t: _mynumber(
            t, licence=True, sign_cert=False, tries=PinTries(user_auth=3, signature=None, input_support=3)
        ),
    ),
    CardProfile(
        "free-area-unknown",
        "valid card that does not report its free area",
        lambda t: _mynumber(t, free_area=FreeArea.UNKNOWN),
    ),
    CardProfile(
        "free-area-full",
        "valid card whose free area is too small for licence data",
        lambda t: _mynumber(t, free_area=FreeArea.INSUFFICIENT),
    ),
    CardProfile(
        "legacy-licence",
        "an IC driver's licence card (the plastic licence), not a My Number card",
        lambda t: CardFacts(kind=CardKind.LEGACY_LICENSE, legacy_licence_expiry=t + timedelta(days=400)),
    ),
    CardProfile(
        "smartphone-jpki",
        "a smartphone carrying JPKI (answers the JPKI application, but is not the card)",
        lambda t: CardFacts(kind=CardKind.SMARTPHONE_JPKI),
    ),
    CardProfile(
        "juki-card",
        "an old 住基カード",
        lambda t: CardFacts(kind=CardKind.JUKI_CARD),
    ),
    CardProfile(
        "unreadable",
        "a chip that answers nothing useful (damaged card)",
        lambda t: CardFacts(kind=CardKind.UNREADABLE),
    ),
    CardProfile(
        "unknown-card",
        "a transit or shop card",
        lambda t: CardFacts(kind=CardKind.OTHER),
    ),
    CardProfile(
        "cert-expiring",
        "valid card whose e-certificates expire in 25 days (the card itself is valid for years)",
        lambda t: _mynumber(t, cert_days=25, licence=True),
    ),
    CardProfile(
        "face-auth",
        "face-authentication My Number card: no PIN-based signature certificate",
        lambda t: _mynumber(t, sign_cert=False, tries=PinTries(user_auth=3, signature=None, input_support=3)),
    ),
    CardProfile(
        "short-apdu-only",
        "valid card that answers only short APDUs (certificates read 256 bytes at a time)",
        lambda t: _mynumber(t),
    ),
    CardProfile(
        "extended-length",
        "valid card that answers extended-length READ BINARY (a certificate in one APDU)",
        lambda t: _mynumber(t),
    ),
    CardProfile(
        "chip-garbage",
        "a damaged chip that answers with bytes that are no response APDU",
        lambda t: CardFacts(kind=CardKind.UNREADABLE),
    ),
    CardProfile(
        "chip-slow",
        "valid card with a slow chip (tens of ms per command)",
        lambda t: _mynumber(t),
    ),
)

PROFILES: dict[str, CardProfile] = {p.name: p for p in _PROFILES}


def profile(name: str) -> CardProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(f"unknown card profile {name!r}; known: {', '.join(PROFILES)}") from None
