"""Scripted visits for the headless demo, the tests and reviewers: one or more per rule the kiosk acts on.

A scenario is what a visitor does, step by step, at a given moment in the lobby:
  "tap:<button id>"   touch a button the screen shows (ids from kiosk.ui.view)
  "card:<profile>"    put a simulated card on the reader (drivers.card.profiles)
  "card:remove"       take the card away
  "card:pull-next"    the card will be lifted during the next read
  "wait:<seconds>"    time passes with nobody touching anything
Expected outcomes are not written here: the tests state them, so a scenario cannot pass by
describing itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.domain.model import Procedure
from kiosk.errors import UsageError

JST = ZoneInfo("Asia/Tokyo")
# A Thursday morning inside every reception window of the shipped config.
MORNING = datetime(2026, 11, 26, 9, 15, tzinfo=JST)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    steps: tuple[str, ...]
    at: datetime = MORNING
    lang: str = "ja"
    # Site-config changes for this scenario only (e.g. a daily cap), and tickets already issued today.
    daily_caps: dict[Procedure, int] = field(default_factory=dict)
    issued_before: dict[Procedure, int] = field(default_factory=dict)
    # A morning at the counters before the visit: tickets called and served one after another
    # (SERVICE_MIN each, at the procedure's counter), then tickets still waiting. The wait the
    # kiosk tells is estimated from these.
    served_before: dict[Procedure, int] = field(default_factory=dict)
    waiting_before: dict[Procedure, int] = field(default_factory=dict)


SERVICE_MIN = 6  # minutes at the counter for each ticket of `served_before`


def _start(lang: str) -> tuple[str, ...]:
    return ("tap:start", f"tap:lang:{lang}")


def _a(question: str, value: str) -> str:
    return f"tap:answer:{question}:{value}"


def _served(card: str) -> tuple[str, ...]:
    """Place the card; past the verdict, confirm, take the ticket, lift the card."""
    return (f"card:{card}", "tap:continue", "tap:continue", "tap:continue", "card:remove")


def _refused(card: str) -> tuple[str, ...]:
    """Place the card; the verdict refuses; finish and lift the card."""
    return (f"card:{card}", "tap:continue", "card:remove")


def _ticket(*steps: str) -> tuple[str, ...]:
    """Steps of a visit that ends with a ticket: confirm, take the ticket, leave."""
    return (*steps, "tap:continue", "tap:continue", "tap:continue")


_SCENARIOS = (
    Scenario(
        "renewal-license-only",
        "licence-card holder renews and keeps the plastic card: no card check, straight to the counter",
        _ticket(
            *_start("ja"),
            "tap:procedure:renewal",
            _a("current", "license_only"),
            _a("wanted", "license_only"),
            _a("lecture_class", "excellent"),
        ),
    ),
    Scenario(
        "renewal-myna-valid",
        "マイナ免許証 holder renews with a valid card (R4 ok)",
        (
            *_start("ja"),
            "tap:procedure:renewal",
            _a("current", "myna_only"),
            _a("wanted", "myna_only"),
            _a("lecture_class", "general"),
            _a("online_lecture", "no"),
            _a("moved", "no"),
            *_served("licence-present"),
        ),
    ),
    Scenario(
        "renewal-online-lecture",
        "R22: excellent driver holding both cards took the online lecture (cheaper lecture fee)",
        (
            *_start("en"),
            "tap:procedure:renewal",
            _a("current", "both"),
            _a("wanted", "both"),
            _a("lecture_class", "excellent"),
            _a("online_lecture", "yes"),
            _a("moved", "no"),
            *_served("licence-present"),
        ),
        lang="en",
    ),
    Scenario(
        "renewal-via-violation",
        "R24: renewal through another prefecture is not open to the violation class",
        (
            *_start("ja"),
            "tap:procedure:renewal_via",
            _a("current", "license_only"),
            _a("lecture_class", "violation"),
            "tap:continue",
        ),
    ),
    Scenario(
        "service-registration-ok",
        "R17: portal-link application with a healthy card: warned that submission is permanent",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "portal_link"),
            _a("current", "both"),
            _a("moved", "no"),
            *_served("licence-present"),
        ),
    ),
    Scenario(
        "service-registration-sign-locked",
        "R18: the signature password is locked: only the municipal office can unlock it",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "portal_link"),
            _a("current", "myna_only"),
            _a("moved", "no"),
            *_refused("sign-locked"),
        ),
    ),
    Scenario(
        "service-user-pin-one-try",
        "R18: the 4-digit PIN has one try left: warned, still served",
        _ticket(
            *_start("en"),
            "tap:procedure:myna_service",
            _a("service", "portal_link"),
            _a("current", "myna_only"),
            _a("moved", "no"),
            "card:user-pin-one-try",
            "tap:continue",
        ),
        lang="en",
    ),
    Scenario(
        "service-cert-expired",
        "R19: the e-certificates lapsed after 5 years",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "portal_link"),
            _a("current", "myna_only"),
            _a("moved", "no"),
            *_refused("cert-expired"),
        ),
    ),
    Scenario(
        "service-no-sign-cert",
        "R27: a card without a signature certificate cannot link to the portal",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "portal_link"),
            _a("current", "both"),
            _a("moved", "no"),
            *_refused("no-sign-cert"),
        ),
    ),
    Scenario(
        "service-onestop-not-eligible",
        "R21: the one-stop address service is for マイナ免許証のみ holders only",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "address_onestop"),
            _a("current", "both"),
            _a("moved", "no"),
            *_refused("licence-present"),
        ),
    ),
    Scenario(
        "holding-change-ok",
        "R2/R5: licence-card holder adds the licence to a valid My Number card",
        (
            *_start("ja"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "both"),
            _a("moved", "no"),
            *_served("valid"),
        ),
    ),
    Scenario(
        "holding-change-card-expired",
        "R4: an expired My Number card blocks every マイナ免許証 procedure",
        (
            *_start("ja"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "myna_only"),
            _a("moved", "no"),
            *_refused("card-expired"),
        ),
    ),
    Scenario(
        "holding-change-free-area-unknown",
        "R5: the card does not report its free area: staff will check, the ticket is still issued",
        (
            *_start("en"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "both"),
            _a("moved", "no"),
            *_served("free-area-unknown"),
        ),
        lang="en",
    ),
    Scenario(
        "holding-change-card-not-updated",
        "R11: moved, but the My Number card still shows the old address",
        (
            *_start("ja"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "both"),
            _a("moved", "yes_card_not_updated"),
            *_refused("valid"),
        ),
    ),
    Scenario(
        "re-record-new-card",
        "R3/R28: a new My Number card needs the licence data recorded again",
        (
            *_start("ja"),
            "tap:procedure:re_record",
            _a("current", "myna_only"),
            _a("moved", "no"),
            *_served("licence-absent"),
        ),
    ),
    Scenario(
        "reissue-lost-myna",
        "R3: a lost My Number card is reissued by the municipality first",
        (
            *_start("ja"),
            "tap:procedure:reissue",
            _a("current", "myna_only"),
            _a("lost", "myna_card"),
            _a("wanted", "myna_only"),
            _a("moved", "no"),
            "tap:continue",
        ),
    ),
    Scenario(
        "renewal-card-expired-two-cards",
        "R4: a 2枚持ち holder's My Number card has expired: the verdict offers the renewal on the plastic"
        " licence card, and a ticket follows",
        _ticket(
            *_start("ja"),
            "tap:procedure:renewal",
            _a("current", "both"),
            _a("wanted", "both"),
            _a("lecture_class", "general"),
            _a("online_lecture", "no"),
            _a("moved", "no"),
            "card:card-expired",
            "tap:plastic_path",
            "card:remove",
            "tap:continue",
        ),
    ),
    Scenario(
        "lost-myna-only",
        "R3/R4: a マイナ免許証のみ holder lost the card: a plastic licence can be issued today (the verdict's"
        " button), the My Number card is reissued by the municipality",
        _ticket(
            *_start("ja"),
            "tap:procedure:reissue",
            _a("current", "myna_only"),
            _a("lost", "myna_card"),
            _a("wanted", "myna_only"),
            _a("moved", "no"),
            "tap:plastic_path",
            "tap:continue",
        ),
    ),
    Scenario(
        "voided-card",
        "R6: re-recording after a new card was issued, with a card that already holds licence data: the old"
        " card lost effect under the My Number Act; the municipal office confirms which card is valid",
        (
            *_start("ja"),
            "tap:procedure:re_record",
            _a("current", "myna_only"),
            _a("moved", "no"),
            *_refused("licence-present"),
        ),
    ),
    Scenario(
        "service-moved-cert-not-reissued",
        "R19/R27: moved and updated the card, but the certificates were not issued again",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "address_onestop"),
            _a("current", "myna_only"),
            _a("moved", "yes_card_updated"),
            _a("cert_reissued", "no"),
            *_refused("licence-present"),
        ),
    ),
    Scenario(
        "online-lecture-application",
        "R22: applying for the online lecture: optional, not faster, still renew at a counter",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "online_lecture"),
            _a("current", "both"),
            _a("moved", "no"),
            *_served("licence-present"),
        ),
    ),
    Scenario(
        "record-change-myna-only",
        "R13/R21/R23: a マイナ免許証のみ holder notifies a change: one-stop users need not, 本籍 in the portal",
        (
            *_start("ja"),
            "tap:procedure:record_change",
            _a("current", "myna_only"),
            _a("moved", "yes_card_updated"),
            *_served("licence-present"),
        ),
    ),
    Scenario(
        "renewal-via-two-cards",
        "R24: renewal through another prefecture for a 2枚持ち holder: until the expiry date, recorded today,"
        " plastic card posted later; the estimate includes the renewal fee",
        (
            *_start("ja"),
            "tap:procedure:renewal_via",
            _a("current", "both"),
            _a("lecture_class", "excellent"),
            _a("moved", "no"),
            *_served("licence-present"),
        ),
    ),
    Scenario(
        "reissue-lost-licence-card",
        "R10: 2枚持ち holder lost the plastic card: reissue, bring the My Number card",
        _ticket(
            *_start("ja"),
            "tap:procedure:reissue",
            _a("current", "both"),
            _a("lost", "license_card"),
            _a("wanted", "both"),
            _a("moved", "no"),
            "card:licence-present",
            "tap:continue",
        ),
    ),
    Scenario(
        "not-a-mynumber-card",
        "R3: a transit card is placed instead of the My Number card",
        (
            *_start("ja"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "both"),
            _a("moved", "no"),
            *_refused("unknown-card"),
        ),
    ),
    Scenario(
        "legacy-licence-card",
        "R3: the plastic IC licence is placed instead of the My Number card",
        (
            *_start("en"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "myna_only"),
            _a("moved", "no"),
            *_refused("legacy-licence"),
        ),
        lang="en",
    ),
    Scenario(
        "smartphone-jpki",
        "R3: a smartphone with JPKI is not the card: bring the physical card",
        (
            *_start("ja"),
            "tap:procedure:myna_service",
            _a("service", "portal_link"),
            _a("current", "myna_only"),
            _a("moved", "no"),
            *_refused("smartphone-jpki"),
        ),
    ),
    Scenario(
        "unreadable-chip",
        "R5: a damaged chip that answers nothing useful",
        (
            *_start("ja"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "both"),
            _a("moved", "no"),
            *_refused("unreadable"),
        ),
    ),
    Scenario(
        "card-pulled-mid-read",
        "the card is lifted during the read: 'place it again', never a verdict from half the data",
        (
            *_start("ja"),
            "tap:procedure:holding_change",
            _a("current", "license_only"),
            _a("wanted", "both"),
            _a("moved", "no"),
            "card:pull-next",
            "card:valid",
            *_served("valid"),
        ),
    ),
    Scenario(
        "counter-closed",
        "R15/R26: service applications are received 8:30–10:00 and 13:00–14:30 only",
        (*_start("ja"), "tap:procedure:myna_service", "tap:continue"),
        at=MORNING.replace(hour=11, minute=0),
    ),
    Scenario(
        "daily-cap-reached",
        "R15: today's places for international permits are all taken (cap set for this scenario)",
        (*_start("en"), "tap:procedure:international_permit", "tap:continue"),
        lang="en",
        daily_caps={Procedure.INTERNATIONAL_PERMIT: 2},
        issued_before={Procedure.INTERNATIONAL_PERMIT: 2},
    ),
    Scenario(
        "enquiry",
        "not sure what to do: a ticket for the information counter",
        _ticket(*_start("en"), "tap:procedure:enquiry"),
        lang="en",
    ),
    Scenario(
        "renewal-told-the-wait",
        "a busy morning: 10 renewals served, 6 waiting; the menu and the confirm screen tell the wait,"
        " the ticket how many are ahead",
        _ticket(
            *_start("ja"),
            "tap:procedure:renewal",
            _a("current", "license_only"),
            _a("wanted", "license_only"),
            _a("lecture_class", "excellent"),
        ),
        served_before={Procedure.RENEWAL: 10},
        waiting_before={Procedure.RENEWAL: 6},
    ),
    Scenario(
        "idle-timeout",
        "a visitor walks away mid-visit: the countdown shows, then the visit is wiped",
        (*_start("ja"), "tap:procedure:renewal", "wait:75", "wait:20"),
    ),
)

SCENARIOS: dict[str, Scenario] = {s.name: s for s in _SCENARIOS}


def scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UsageError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
