"""The refusal slip (kiosk/ticket/slip.py): what to ask for where, what to bring, when to come back, whom to call."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk.domain.model import Answers, HoldingStatus, LectureClass, MovedAnswer, Procedure, ServiceKind
from kiosk.domain.routing import Refusal
from kiosk.ticket.document import ItemsBlock, QrBlock, TextBlock
from kiosk.ticket.render import render_ticket
from kiosk.ticket.slip import build_slip, weekly_hours

NOW = datetime(2026, 11, 26, 0, 15, tzinfo=UTC)  # 09:15 in Tokyo
PORTAL = Answers(
    procedure=Procedure.MYNA_SERVICE,
    service=ServiceKind.PORTAL_LINK,
    current=HoldingStatus.MYNA_ONLY,
    moved=MovedAnswer.NO,
)
LOCKED = Refusal("R18.sign_password_locked", "municipal_office")


def words(doc) -> str:
    out = []
    for block in doc.blocks:
        if isinstance(block, TextBlock):
            out.append(block.text)
        elif isinstance(block, ItemsBlock):
            out.extend(block.items)
    return "\n".join(out)


def test_r18_sign_locked_slip_says_what_to_ask_for_where_when_to_come_back_and_whom_to_call(site_config):
    doc = build_slip(site_config, PORTAL, LOCKED, "ja", NOW)
    said = words(doc)
    assert "市区町村の窓口で「署名用電子証明書のパスワードの初期化（再設定）」" in said
    assert "マイナンバーカードと本人確認書類" in said  # what to bring to the errand
    assert "13番窓口" in said and "平日 8:30〜10:00、13:00〜14:30" in said  # counter 13's OFFICIAL hours
    assert "027-253-9300" in said
    assert "窓口でご確認ください" not in said  # counter 13 and its hours are not examples
    assert not [b for b in doc.blocks if isinstance(b, QrBlock)]  # no number, no ticket id


def test_a_slip_in_another_language_repeats_everything_in_japanese(site_config):
    doc = build_slip(site_config, PORTAL, LOCKED, "vi", NOW)
    said = words(doc)
    assert "署名用電子証明書のパスワードの初期化" in said and "tòa thị chính" in said
    assert said.count("027-253-9300") == 1
    assert doc.lang == "vi"


def test_example_hours_on_a_slip_say_ask_at_the_counter(site_config):
    renewal = Answers(procedure=Procedure.RENEWAL, current=HoldingStatus.BOTH, lecture_class=LectureClass.VIOLATION)
    doc = build_slip(site_config, renewal, Refusal("R15.closed_now", "reception_hours"), "ja", NOW)
    said = words(doc)
    assert "平日 8:30〜9:10、13:00〜13:40" in said  # the violation class's windows only
    assert "受付時間は窓口でご確認ください" in said


def test_weekly_hours_name_other_days_one_by_one(site_config):
    from dataclasses import replace

    window = site_config.procedures[Procedure.RENEWAL_VIA].windows[0]
    saturday = replace(window, weekdays=frozenset({5}))
    assert weekly_hours([window, saturday], "en") == "Mon–Fri 8:30–17:00, Sat 8:30–17:00"


def test_the_slip_renders_within_the_paper(site_config):
    image = render_ticket(build_slip(site_config, PORTAL, LOCKED, "en", NOW))
    assert image.width == 576 and image.height > 200
