"""What a ticket says, for the visitor and for the clerk, and what it never says."""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

import kiosk.domain.prechecks
from kiosk.domain.model import Answers, HoldingStatus, LectureClass, LostItem, Procedure, ServiceKind
from kiosk.messages import catalog, text
from kiosk.ticket.document import Align, FeedBlock, ItemsBlock, QrBlock, RuleBlock, Size, TextBlock, TicketDocument
from kiosk.ticket.layout import VISITOR_ACTS, build_ticket, clerk_codes

from .conftest import ISSUED_AT

RENEWAL_BOTH_VIOLATION = Answers(
    procedure=Procedure.RENEWAL, current=HoldingStatus.BOTH, lecture_class=LectureClass.VIOLATION
)
RENEWAL_TO_MYNA_EXCELLENT = Answers(
    procedure=Procedure.RENEWAL,
    current=HoldingStatus.LICENSE_ONLY,
    wanted=HoldingStatus.MYNA_ONLY,
    lecture_class=LectureClass.EXCELLENT,
)
PORTAL_LINK = Answers(
    procedure=Procedure.MYNA_SERVICE, current=HoldingStatus.MYNA_ONLY, service=ServiceKind.PORTAL_LINK
)
PORTAL_REASONS = ("R18.sign_password_few_tries", "R17.submission_permanent")


def texts(document: TicketDocument) -> list[str]:
    """Every line of words, a packed list's items one by one."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, TextBlock):
            lines.append(block.text)
        elif isinstance(block, ItemsBlock):
            lines += block.items
    return lines


def blob(document: TicketDocument) -> str:
    return "\n".join(texts(document))


def first(document: TicketDocument, words: str) -> int:
    """Index of the first block whose text (or one of whose items) contains `words`."""
    for i, block in enumerate(document.blocks):
        if isinstance(block, TextBlock) and words in block.text:
            return i
        if isinstance(block, ItemsBlock) and any(words in item for item in block.items):
            return i
    raise AssertionError(f"{words!r} not on the ticket:\n{blob(document)}")


def test_queue_number_is_printed_huge_bold_and_centred(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION, number=12)
    doc = build_ticket(site_config, ticket, route, "ja")
    huge = [b for b in doc.blocks if isinstance(b, TextBlock) and b.size is Size.HUGE]
    assert [(b.text, b.bold, b.align) for b in huge] == [("R-012", True, Align.CENTER)]
    assert doc.label == "R-012"
    assert doc.lang == "ja"


def test_site_name_comes_first(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    assert texts(build_ticket(site_config, ticket, route, "ja"))[0] == "群馬県総合交通センター"
    assert texts(build_ticket(site_config, ticket, route, "en"))[0] == "Gunma Prefectural Traffic Center"


def test_counter_number_floor_and_name(site_config, make):
    ticket, route = make(PORTAL_LINK, PORTAL_REASONS)
    doc = build_ticket(site_config, ticket, route, "ja")
    assert "1F　13番窓口" in texts(doc)
    assert "マイナ免許申請" in texts(doc)


def test_example_counter_number_asks_to_check_the_signs(site_config, make):
    # Counter 1 is an UNCONFIRMED example value; counter 13 is OFFICIAL.
    renewal, renewal_route = make(RENEWAL_BOTH_VIOLATION)
    service, service_route = make(PORTAL_LINK, PORTAL_REASONS)
    assert renewal_route.counter.example and not service_route.counter.example
    assert "案内表示もご確認ください" in blob(build_ticket(site_config, renewal, renewal_route, "ja"))
    assert "案内表示" not in blob(build_ticket(site_config, service, service_route, "ja"))


def test_procedure_and_holding_status_after_on_one_line(site_config, make):
    ticket, route = make(RENEWAL_TO_MYNA_EXCELLENT)
    lines = texts(build_ticket(site_config, ticket, route, "ja"))
    assert "免許の更新（手続後：マイナ免許証のみ）" in lines  # the status wanted, not the one held today
    enquiry, enquiry_route = make(Answers(procedure=Procedure.ENQUIRY))
    assert "わからない・相談" in "\n".join(texts(build_ticket(site_config, enquiry, enquiry_route, "ja")))


def test_no_status_line_when_the_status_is_not_known(site_config, make):
    ticket, route = make(Answers(procedure=Procedure.ENQUIRY))
    doc = build_ticket(site_config, ticket, route, "ja")
    assert "手続後の保有状況" not in blob(doc)


def test_confirmed_fee_is_shown_in_yen_and_unconfirmed_as_ask(site_config, make):
    # 2枚持ち renewal 2,950 yen is confirmed; the 違反 lecture fee is not confirmed for Gunma.
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    ja = texts(build_ticket(site_config, ticket, route, "ja"))
    assert "お支払い（目安）" in ja  # the heading alone: there is no sum to give
    assert "手数料　2,950円" in ja
    assert "講習手数料　窓口でご確認ください" in ja
    assert not any("合計" in line for line in ja)  # no total when a part must be asked
    assert not any("1,400" in line for line in ja)  # the unconfirmed figure never appears
    en = texts(build_ticket(site_config, ticket, route, "en"))
    assert "Fee: ¥2,950" in en
    assert "Lecture fee: Please ask at the counter" in en


def test_one_bold_line_with_the_total_when_every_fee_is_confirmed(site_config, make):
    ticket, route = make(RENEWAL_TO_MYNA_EXCELLENT)
    doc = build_ticket(site_config, ticket, route, "ja")
    assert [line for line in texts(doc) if "円" in line] == ["お支払い（目安）　2,600円"]
    total = doc.blocks[first(doc, "2,600円")]
    assert isinstance(total, TextBlock) and total.bold and total.size is Size.NORMAL
    en = texts(build_ticket(site_config, ticket, route, "en"))
    assert "Fee (estimate): ¥2,600" in en


def test_fees_are_labelled_as_an_estimate_with_the_note(site_config, make):
    ticket, route = make(RENEWAL_TO_MYNA_EXCELLENT)
    ja = blob(build_ticket(site_config, ticket, route, "ja"))
    assert "目安" in ja
    assert "正確な金額は窓口でご確認ください" in ja
    en = blob(build_ticket(site_config, ticket, route, "en"))
    assert "estimate" in en
    assert "Confirm the exact amount at the counter" in en


def test_no_fee_section_when_the_procedure_has_no_fee_information(site_config, make):
    ticket, route = make(PORTAL_LINK, PORTAL_REASONS)
    assert route.fee.lines == ()
    doc = blob(build_ticket(site_config, ticket, route, "ja"))
    assert "目安" not in doc
    assert "円" not in doc


def test_r10_bring_list_is_printed(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    ja = texts(build_ticket(site_config, ticket, route, "ja"))
    for item in ("・運転免許証", "・マイナンバーカード", "・更新連絡書"):
        assert item in ja
    en = texts(build_ticket(site_config, ticket, route, "en"))
    assert "• Driver's licence card" in en
    assert "• My Number card" in en


def test_the_bring_list_is_one_packed_list_under_its_heading(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    doc = build_ticket(site_config, ticket, route, "ja")
    lists = [b for b in doc.blocks if isinstance(b, ItemsBlock)]
    assert [b.items for b in lists] == [tuple(f"・{item.label.get('ja')}" for item in route.bring)]
    heading = doc.blocks[first(doc, "ご用意ください")]
    assert doc.blocks[doc.blocks.index(heading) + 1] == lists[0]


def test_english_ticket_repeats_counter_procedure_and_status_in_japanese_for_the_clerk(site_config, make):
    ticket, route = make(RENEWAL_TO_MYNA_EXCELLENT)
    doc = build_ticket(site_config, ticket, route, "en")
    for english, japanese in (
        ("Counter 1 (1F)", "1F　1番窓口　更新受付"),
        (
            "Licence renewal\n→ My Number card licence only (マイナ免許証のみ)",
            "免許の更新（手続後：マイナ免許証のみ）",
        ),
    ):
        visitor, clerk = first(doc, english), first(doc, japanese)
        assert clerk > visitor, f"{japanese!r} should follow {english!r}"
        clerk_block = doc.blocks[clerk]
        assert isinstance(clerk_block, TextBlock) and clerk_block.size is Size.SMALL


def test_japanese_ticket_does_not_repeat_lines(site_config, make):
    ticket, route = make(RENEWAL_TO_MYNA_EXCELLENT)
    doc = blob(build_ticket(site_config, ticket, route, "ja"))
    assert doc.count("免許の更新") == 1
    for english in ("Licence renewal", "Counter", "My Number card licence only", "estimate"):
        assert english not in doc


def test_the_clerk_reads_the_rule_ids_on_the_issue_line_once_each(site_config, make):
    ticket, route = make(PORTAL_LINK, (*PORTAL_REASONS, "R18.user_pin_one_try"))
    assert clerk_codes(ticket.reasons) == "R18\u00a0R17"
    ja = texts(build_ticket(site_config, ticket, route, "ja"))
    assert "発行\u00a009:12　端末\u00a0lobby-1　確認\u00a0R18\u00a0R17" in ja
    en = texts(build_ticket(site_config, ticket, route, "en"))
    assert "Issued\u00a009:12  Kiosk\u00a0lobby-1　Check\u00a0R18\u00a0R17" in en
    # the clerk's sentence per reason is gone: the QR code finds the stored ticket with its full codes
    assert not any("R18.sign_password_few_tries" in line or "残り回数わずか" in line for line in ja)


def test_a_new_reason_code_is_still_printed_by_its_rule(site_config, make):
    ticket, route = make(PORTAL_LINK, ("R99.something_new",))
    assert "確認\u00a0R99" in blob(build_ticket(site_config, ticket, route, "ja"))


def test_no_check_codes_without_reasons(site_config, make):
    ticket, route = make(RENEWAL_TO_MYNA_EXCELLENT)
    assert not re.search(r"確認\sR\d", blob(build_ticket(site_config, ticket, route, "ja")))


@pytest.mark.parametrize("lang", ["ja", "en", "vi"])
def test_a_warning_the_visitor_must_act_on_is_printed_in_their_words(site_config, make, lang):
    ticket, route = make(PORTAL_LINK, ("R18.user_pin_locked", "R17.submission_permanent"))
    doc = build_ticket(site_config, ticket, route, lang)
    warning = doc.blocks[first(doc, text("reason.R18.user_pin_locked", lang))]
    assert isinstance(warning, TextBlock) and warning.bold and warning.size is Size.NORMAL
    # R17 is the clerk's to explain at the counter: a code, not a sentence
    assert text("reason.R17.submission_permanent", lang) not in blob(doc)


def _municipal_office_reasons() -> set[str]:
    """Every reason code kiosk/domain/prechecks.py gives with the municipal office as its remedy."""
    tree = ast.parse(Path(kiosk.domain.prechecks.__file__).read_text(encoding="utf-8"))
    codes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_result":
            _, rule, _, what, *remedy = node.args
            if remedy and isinstance(remedy[0], ast.Name) and remedy[0].id == "MUNICIPAL_OFFICE":
                assert isinstance(rule, ast.Constant) and isinstance(what, ast.Constant)
                codes.add(f"{rule.value}.{what.value}")
    return codes


def test_every_reason_sent_to_the_municipal_office_is_a_visitor_warning():
    found = _municipal_office_reasons()
    assert "R18.user_pin_locked" in found and "R17.submission_permanent" not in found  # the reading works
    assert found == VISITOR_ACTS


def test_every_precheck_reason_code_has_a_short_ticket_label_in_each_language():
    codes = [key.removeprefix("reason.") for key in catalog() if re.match(r"reason\.R\d+\.", key)]
    assert codes
    missing = [c for c in codes if f"ticket.reason.{c}" not in catalog()]
    assert missing == []
    for code in codes:
        words = catalog()[f"ticket.reason.{code}"]
        assert set(words) == {"ja", "en"}


def test_every_ticket_message_has_ja_and_en_with_the_same_placeholders():
    ticket_keys = [k for k in catalog() if k.startswith("ticket.")]
    assert ticket_keys
    for key in ticket_keys:
        words = catalog()[key]
        assert {"ja", "en"} <= set(words), key  # the other languages: tests/kiosk/test_messages.py
        assert set(re.findall(r"\{(\w+)", words["ja"])) == set(re.findall(r"\{(\w+)", words["en"])), key


def test_issue_time_is_in_the_site_timezone_with_the_kiosk_id(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)  # issued 00:12 UTC
    ja = texts(build_ticket(site_config, ticket, route, "ja"))
    assert "発行\u00a009:12　端末\u00a0lobby-1" in ja  # the day is today's, and in the QR code
    en = texts(build_ticket(site_config, ticket, route, "en"))
    assert "Issued\u00a009:12  Kiosk\u00a0lobby-1" in en


def test_naive_issue_time_is_refused(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION, issued_at=datetime(2026, 11, 25, 9, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        build_ticket(site_config, ticket, route, "ja")


def test_qr_code_carries_the_ticket_id_only(site_config, make):
    ticket, route = make(PORTAL_LINK, PORTAL_REASONS, number=3)
    doc = build_ticket(site_config, ticket, route, "en")
    qrs = [b.data for b in doc.blocks if isinstance(b, QrBlock)]
    assert qrs == ["gunma-traffic-center/20261125/M-003"]


def test_sections_come_in_order_separated_by_rules(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION, ("R4.card_expiring_soon",))
    doc = build_ticket(site_config, ticket, route, "ja")
    order = [
        first(doc, "群馬県総合交通センター"),
        first(doc, "R-012"),
        first(doc, "1番窓口"),
        first(doc, "免許の更新"),
        first(doc, "2,950円"),
        first(doc, "・運転免許証"),
        first(doc, text("reason.R4.card_expiring_soon", "ja")),
        first(doc, "確認\u00a0R4"),
        next(i for i, b in enumerate(doc.blocks) if isinstance(b, QrBlock)),
    ]
    assert order == sorted(order)
    rules = [i for i, b in enumerate(doc.blocks) if isinstance(b, RuleBlock)]
    for before, after in ((1, 2), (2, 3), (4, 5), (5, 6), (6, 7)):
        assert any(order[before] < r < order[after] for r in rules), (before, after)
    assert not any(order[3] < r < order[4] for r in rules)  # procedure and fees: one section
    assert isinstance(doc.blocks[-1], FeedBlock)  # blank paper before the cut


def test_width_is_passed_through_and_must_be_positive(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    assert build_ticket(site_config, ticket, route, "ja").width_dots == 576
    assert build_ticket(site_config, ticket, route, "ja", width_dots=384).width_dots == 384
    with pytest.raises(ValueError):
        build_ticket(site_config, ticket, route, "ja", width_dots=0)


# --- nothing personal ------------------------------------------------------------------------------

VISITS = [
    (RENEWAL_BOTH_VIOLATION, ("R4.card_expiring_soon", "R5.free_area_unknown")),
    (RENEWAL_TO_MYNA_EXCELLENT, ("R3.licence_data_unexpected",)),
    (PORTAL_LINK, (*PORTAL_REASONS, "R18.user_pin_one_try", "R19.cert_unknown")),
    (Answers(procedure=Procedure.REISSUE, current=HoldingStatus.BOTH, lost=LostItem.MYNA_CARD), ()),
    (Answers(procedure=Procedure.RE_RECORD, current=HoldingStatus.BOTH), ("R3.already_recorded",)),
    (Answers(procedure=Procedure.INTERNATIONAL_PERMIT, current=HoldingStatus.LICENSE_ONLY), ()),
    (Answers(procedure=Procedure.ENQUIRY), ()),
]

TWELVE_DIGITS = re.compile(r"\d(?:[\s-]?\d){11}")  # licence / My Number numbers, spaced or not
DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{8}|[RHS令平昭]\s*\d{1,2}\s*[./年]\s*\d")


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("answers", "reasons"), VISITS, ids=lambda v: getattr(v, "procedure", None) or "")
def test_no_twelve_digit_number_and_no_date(site_config, make, answers, reasons, lang):
    ticket, route = make(answers, reasons)
    doc = blob(build_ticket(site_config, ticket, route, lang))
    assert not TWELVE_DIGITS.search(doc), doc
    assert not DATE.search(doc), doc


def test_the_personal_data_checks_can_fail():
    assert TWELVE_DIGITS.search("免許証番号 1234 5678 9012")
    assert [m.group(0) for m in DATE.finditer("有効期限 2031年3月1日 / 2030-01-31 / 20300131")] == [
        "2031年3月1",
        "2030-01-31",
        "20300131",
    ]


# --- "ahead of you" ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "ja-easy", "en", "pt-BR", "vi", "zh-Hans"])
def test_ahead_of_you_is_printed_under_the_number_in_the_visitors_language(site_config, make, lang):
    ticket, route = make(RENEWAL_BOTH_VIOLATION, number=12)
    doc = build_ticket(site_config, ticket, route, lang, ahead=6)
    told = text("ticket.ahead", lang, people=6)
    assert "6" in told
    number, ahead = first(doc, "R-012"), first(doc, told)
    assert ahead > number and not any(isinstance(b, RuleBlock) for b in doc.blocks[number:ahead])
    block = doc.blocks[ahead]
    assert isinstance(block, TextBlock) and block.align is Align.CENTER and block.bold


def test_nobody_ahead_is_said_too(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    assert "あなたの前にお待ちの方：0人" in texts(build_ticket(site_config, ticket, route, "ja", ahead=0))


def test_no_ahead_when_the_wait_is_not_told(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    assert "あなたの前" not in blob(build_ticket(site_config, ticket, route, "ja"))


def test_a_reprint_never_carries_a_stale_ahead(site_config, make):
    ticket, route = make(RENEWAL_BOTH_VIOLATION)
    again = build_ticket(site_config, ticket, route, "ja", reprinted_at=ISSUED_AT, ahead=6)
    assert "あなたの前" not in blob(again)
