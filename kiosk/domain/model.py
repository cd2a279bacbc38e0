"""Values of the licence-centre domain: what a visitor came for, what they hold, what a card told us.

Pure data, no behaviour beyond small derived properties. Every enum value is a stable string: it
is what goes into the ticket store, result.json and log lines, so renaming one is a migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class HoldingStatus(StrEnum):
    """保有状況 (R1): which licence media a person holds."""

    LICENSE_ONLY = "license_only"  # 免許証のみ
    MYNA_ONLY = "myna_only"  # マイナ免許証のみ
    BOTH = "both"  # 2枚持ち

    @property
    def has_myna(self) -> bool:
        return self is not HoldingStatus.LICENSE_ONLY

    @property
    def has_plastic(self) -> bool:
        return self is not HoldingStatus.MYNA_ONLY


class Procedure(StrEnum):
    """Procedures offered at the Gunma traffic centre (rules.md, 'Procedures the kiosk offers')."""

    RENEWAL = "renewal"  # 更新
    RENEWAL_VIA = "renewal_via"  # 経由更新 (R24)
    RECORD_CHANGE = "record_change"  # 記載事項変更 (R13)
    REISSUE = "reissue"  # 再交付
    HOLDING_CHANGE = "holding_change"  # 保有状況の変更 (R2)
    RE_RECORD = "re_record"  # 免許情報の再記録 (R3, R28)
    MYNA_SERVICE = "myna_service"  # マイナ免許証サービス申請 (R17, R21, R22)
    INTERNATIONAL_PERMIT = "international_permit"  # 国外運転免許証
    SURRENDER = "surrender"  # 申請取消(返納): no fee of its own
    DRIVING_RECORD = "driving_record"  # 運転経歴証明書 (1,100円): its own choice, after or with 返納
    FOREIGN_CONVERSION = "foreign_conversion"  # 外国免許切替: routed by the site config
    ENQUIRY = "enquiry"  # わからない・相談


class Outcome(StrEnum):
    """Outcome vocabulary of every pre-check (rules.md). Ordered by severity below."""

    OK = "ok"
    WARN = "warn"
    UNKNOWN = "unknown"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Outcome.OK: 0, Outcome.WARN: 1, Outcome.UNKNOWN: 2, Outcome.BLOCK: 3}


class CardKind(StrEnum):
    """What the tapped card turned out to be (card-facts.md, 'Telling cards apart')."""

    MYNUMBER_CARD = "mynumber_card"
    SMARTPHONE_JPKI = "smartphone_jpki"
    JUKI_CARD = "juki_card"
    LEGACY_LICENSE = "legacy_license"
    OTHER = "other"  # transit, shop or any card we do not know
    UNREADABLE = "unreadable"  # a chip that answers nothing useful


class FreeArea(StrEnum):
    """Room in the card's free area (R5). No public method exists, so UNKNOWN is the usual answer."""

    ENOUGH = "enough"
    INSUFFICIENT = "insufficient"
    UNKNOWN = "unknown"


class LectureClass(StrEnum):
    """更新時講習の区分: decides fees, reception windows and online-lecture eligibility (R22, R24)."""

    EXCELLENT = "excellent"  # 優良
    GENERAL = "general"  # 一般
    VIOLATION = "violation"  # 違反
    FIRST = "first"  # 初回
    ELDERLY_DONE = "elderly_done"  # 高齢者講習受講済み


class ServiceKind(StrEnum):
    """マイナ免許証サービス申請: which service the visitor wants to apply for."""

    PORTAL_LINK = "portal_link"  # マイナポータル連携 (R17)
    ONLINE_LECTURE = "online_lecture"  # オンライン講習 (R22)
    ADDRESS_ONESTOP = "address_onestop"  # 住所変更ワンストップ (R21)


class LostItem(StrEnum):
    """For reissue: what is lost or damaged (fees.md, Fukuoka's cases A–E)."""

    LICENSE_CARD = "license_card"
    MYNA_CARD = "myna_card"
    BOTH_CARDS = "both_cards"


class CertReissued(StrEnum):
    """After a move: 電子証明書を新しくしましたか (R19, R27). A move revokes the signature
    certificate; only the municipal office issues a new one."""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"


class MovedAnswer(StrEnum):
    """住所・氏名の変更をしましたか (R11, R19, R27)."""

    NO = "no"
    YES_CARD_UPDATED = "yes_card_updated"
    YES_CARD_NOT_UPDATED = "yes_card_not_updated"


@dataclass(frozen=True)
class PinTries:
    """Tries left per PIN, read without consuming one. None = not known; 0 = locked."""

    user_auth: int | None = None
    signature: int | None = None
    input_support: int | None = None


@dataclass(frozen=True)
class CardFacts:
    """Everything the kiosk may learn from a tapped card without a PIN and without personal data.

    None means "not known". No serial numbers, names or certificate bytes ever live here.
    """

    kind: CardKind
    card_expiry: date | None = None
    auth_cert_not_after: date | None = None
    auth_cert_chain_ok: bool | None = None
    signature_cert_present: bool | None = None
    pin_tries: PinTries = field(default_factory=PinTries)
    licence_data_present: bool | None = None
    free_area: FreeArea = FreeArea.UNKNOWN
    legacy_licence_expiry: date | None = None


@dataclass(frozen=True)
class Answers:
    """What the visitor told the kiosk. Nothing here identifies a person."""

    procedure: Procedure | None = None
    current: HoldingStatus | None = None
    wanted: HoldingStatus | None = None
    moved: MovedAnswer | None = None
    lecture_class: LectureClass | None = None
    online_lecture_done: bool | None = None
    service: ServiceKind | None = None
    lost: LostItem | None = None
    cert_reissued: CertReissued | None = None
    # R4: the visitor chose, on the verdict screen, to do today's procedure on the plastic licence
    # card because the My Number card cannot be used (expired, or lost).
    plastic_path: bool = False

    @property
    def after(self) -> HoldingStatus | None:
        """Holding status after the procedure: the wanted one when asked, else the current one."""
        return self.wanted if self.wanted is not None else self.current


@dataclass(frozen=True)
class CheckResult:
    """One pre-check line: outcome, a reason code named after its rule, and where to go about it.

    `reason` is e.g. "R18.sign_password_locked"; the words for it live in the message catalog
    under the same code, so the core stays free of any language.
    """

    check: str
    outcome: Outcome
    reason: str
    remedy: str | None = None
    # Dates the words of the reason show (R7, R8): name -> ISO date, e.g. ("card_expiry", "2030-05-01").
    # Only dates the visitor can read on their own card; never a number or a name.
    dates: tuple[tuple[str, str], ...] = ()

    @property
    def rule(self) -> str:
        return self.reason.split(".", 1)[0]


def worst(results: tuple[CheckResult, ...] | list[CheckResult]) -> Outcome:
    """The most severe outcome among checks; OK when there are none."""
    outcome = Outcome.OK
    for result in results:
        if result.outcome.severity > outcome.severity:
            outcome = result.outcome
    return outcome
