"""The procedure menu and the questions: one big button per choice."""

from __future__ import annotations

from dataclasses import replace

import pygame

from kiosk.domain.flow import AnswerQuestion, ChooseProcedure, Question, options_for
from kiosk.domain.model import Procedure
from kiosk.domain.routing import Availability, availability
from kiosk.ui import buttons
from kiosk.ui.chrome import Frame
from kiosk.ui.layout import Choice, choice_grid, choices_fit, heading
from kiosk.ui.painter import Look, Painter
from kiosk.ui.scene import Scene
from kiosk.ui.theme import SMALL_MUTED


def draw_procedure(p: Painter, scene: Scene, frame: Frame) -> None:
    """Every procedure with today's state in words: open, closed (with today's hours) or full.

    One that cannot be served is greyed and says why; a tap on it does not start it but leads to
    the refusal screen (the flow refuses it before any question), which says when to come back.
    An open one tells the wait when the kiosk knows it ("待ち 5人・約20分", under "受付中"; where
    the two lines do not fit, the wait alone says it is open). The wait never costs the menu a
    page or its type size: where it would, the menu is drawn without it (`choice_grid`'s
    `lighter`), and the confirm screen still tells it."""
    room = heading(p, frame.content, scene.t("ui.procedure.title"))
    unconfirmed = {procedure for procedure in Procedure if scene.hours_unconfirmed(procedure)}
    if unconfirmed:
        # Example hours are never stated as fact, on the menu as on the refusal screen (rules.md).
        note = scene.t("ui.procedure.unconfirmed")
        h = p.text_h(note, SMALL_MUTED, room.w)
        p.text(note, SMALL_MUTED, pygame.Rect(room.x, room.y, room.w, h))
        room = pygame.Rect(room.x, room.y + h + p.m.px(2), room.w, room.h - h - p.m.px(2))
    choices, lighter = [], []
    for procedure in Procedure:
        state = availability(scene.config, procedure, scene.now, scene.state.issued_today)
        mark = scene.t("ui.procedure.unconfirmed_mark") if procedure in unconfirmed else ""
        sub = _availability_text(scene, procedure, state)
        short = _availability_text(scene, procedure, state, brief=True)
        choice = Choice(
            buttons.procedure_id(procedure),
            ChooseProcedure(procedure),
            scene.t(f"procedure.{procedure.value}"),
            sub=f"{sub}{mark}" if sub else sub,
            short=f"{short}{mark}" if short else short,
            look=Look.CHOICE if state is Availability.OPEN else Look.DISABLED,
        )
        lighter.append(choice)
        wait = scene.wait(procedure)
        if wait is not None:
            told = wait_text(scene, wait.people, wait.minutes)
            choice = replace(choice, sub=f"{choice.sub}\n{told}", short=told)
        choices.append(choice)
    choice_grid(p, room, choices, lighter=lighter if lighter != choices else None)


def wait_text(scene: Scene, people: int, minutes: int) -> str:
    """The wait in one short line: "待ち 5人・約20分", or that nobody waits."""
    if people == 0:
        return scene.t("ui.wait.nobody")
    return scene.t("ui.wait.brief", people=people, minutes=minutes)


def _availability_text(scene: Scene, procedure: Procedure, state: Availability, brief: bool = False) -> str | None:
    if state is Availability.OPEN:
        return scene.t("ui.availability.open")  # said in words too: the colour alone would not tell
    if state is Availability.CLOSED_NOW:
        key = "ui.availability.closed_now_brief" if brief else "ui.availability.closed_now"
        return scene.t(key, hours=scene.hours_today(procedure))
    return scene.t(f"ui.availability.{state.value}")


def option_label(scene: Scene, question: Question, value: str) -> str:
    if question in (Question.CURRENT, Question.WANTED):
        return scene.t(f"status.{value}")
    return scene.t(f"option.{question.value}.{value}")


def draw_question(p: Painter, scene: Scene, frame: Frame) -> None:
    visit = scene.visit
    question = visit.question
    if question is None:  # the flow never shows this screen without one
        return
    procedure = visit.answers.procedure
    above = scene.t(f"procedure.{procedure.value}") if procedure is not None else None
    room = heading(p, frame.content, scene.t(f"question.{question.value}"), above=above)
    choices = [
        Choice(
            buttons.answer_id(question, value), AnswerQuestion(question, value), option_label(scene, question, value)
        )
        for value in options_for(question, visit.answers)
    ]
    if procedure is Procedure.MYNA_SERVICE:
        # R20 where the portal is spoken of; on a panel too small for it and one answer, the answers
        # come first and the note follows on every later screen of the visit.
        note = scene.t("note.R20.portal_not_id")
        h = p.text_h(note, SMALL_MUTED, room.w)
        rest = pygame.Rect(room.x, room.y, room.w, room.h - h - p.m.gap)
        if choices_fit(p, rest, choices):
            p.text(note, SMALL_MUTED, pygame.Rect(room.x, rest.bottom + p.m.gap, room.w, h))
            room = rest
    choice_grid(p, room, choices)
