"""Why this visit cannot be served now, and where to go instead."""

from __future__ import annotations

from kiosk.domain.model import Outcome
from kiosk.ui.chrome import Frame
from kiosk.ui.layout import Block, Para, Section, heading, stack
from kiosk.ui.painter import Painter
from kiosk.ui.scene import Scene
from kiosk.ui.screens.card import alert
from kiosk.ui.theme import BODY_BOLD, SMALL_MUTED, TITLE

CLOSED_PREFIX = "R15."  # reception closed or full: today's hours help decide when to come back


def draw_refusal(p: Painter, scene: Scene, frame: Frame) -> None:
    visit = scene.visit
    refusal = visit.refusal
    procedure = visit.answers.procedure
    above = scene.t(f"procedure.{procedure.value}") if procedure is not None else None
    room = heading(p, frame.content, scene.t("ui.refusal.title"), above=above)
    if refusal is None:
        return
    sections: list[Section] = [[alert(Outcome.BLOCK, scene.t(f"reason.{refusal.reason}"))]]
    if refusal.remedy is not None:
        sections.append(
            [Para(scene.t("ui.refusal.what_to_do"), BODY_BOLD), Para(scene.t(f"remedy.{refusal.remedy}"), TITLE)]
        )
    if refusal.reason.startswith(CLOSED_PREFIX) and procedure is not None:
        lecture_class = visit.answers.lecture_class
        hours_today = scene.hours_today(procedure, lecture_class)
        hours: list[Block] = [Para(scene.t("ui.refusal.hours", hours=hours_today), BODY_BOLD)]
        if scene.hours_unconfirmed(procedure, lecture_class):
            hours.append(Para(scene.t("ui.hours.unconfirmed"), SMALL_MUTED))
        sections.append(hours)
    sections.append([Para(scene.t("ui.slip.printed"), BODY_BOLD)])  # every refusal prints its slip
    stack(p, room, [sections])
