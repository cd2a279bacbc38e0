"""The end of a served visit: where to go and what it costs, the ticket, and "take your card"."""

from __future__ import annotations

from datetime import datetime

import pygame

from kiosk.domain.flow import Screen, State, TicketStage
from kiosk.domain.model import Outcome
from kiosk.domain.routing import Route
from kiosk.numbers import grouped
from kiosk.ui.chrome import Frame
from kiosk.ui.layout import (
    SCALES,
    Block,
    Bullet,
    Gap,
    Headline,
    Pair,
    Panel,
    Para,
    Section,
    fitting_scale,
    heading,
    stack,
)
from kiosk.ui.painter import Align, Painter
from kiosk.ui.scene import Scene
from kiosk.ui.screens.card import alert, card_picture
from kiosk.ui.screens.choices import wait_text
from kiosk.ui.theme import BIG, BODY, BODY_BOLD, CHOICE, CHOICE_EDGE, HUGE, PRIMARY, SMALL_MUTED, TITLE


def _counter(scene: Scene, route: Route, align: Align = Align.LEFT) -> list[Block]:
    counter = route.counter
    blocks: list[Block] = [
        Para(scene.t("ui.counter", number=counter.number, floor=counter.floor), BIG, align),
        Para(counter.name.get(scene.lang), TITLE, align),
    ]
    if counter.example:  # an unconfirmed example value: never stated as fact (rules.md)
        blocks.append(Para(scene.t("ui.counter.unconfirmed"), SMALL_MUTED, align))
    return blocks


def _fees(scene: Scene, route: Route) -> list[Block]:
    blocks: list[Block] = [Para(scene.t("ui.confirm.fees"), BODY_BOLD)]
    for line in route.fee.lines:
        amount = scene.t("fee.ask") if line.yen is None else scene.t("fee.yen", yen=grouped(line.yen, scene.lang))
        blocks.append(Pair(scene.t(line.what), amount, BODY))
    if not route.fee.lines:
        blocks.append(Para(scene.t("fee.ask"), BODY))
    total = route.fee.total_yen
    if total is not None and len(route.fee.lines) > 1:
        blocks.append(Pair(scene.t("fee.total"), scene.t("fee.yen", yen=grouped(total, scene.lang)), BODY_BOLD))
    blocks += [Gap(1), Para(scene.t("fee.note"), SMALL_MUTED)]
    return blocks


def _wait(scene: Scene, route: Route, *, brief: bool = False) -> Section:
    """How many wait in this counter's line and about how long, when the kiosk can tell it; `brief`
    says it in one line ("待ち 6人・約20分"), for the counter's panel."""
    wait = scene.wait(route.procedure, scene.visit.answers.lecture_class)
    if wait is None:
        return []
    if brief:
        return [Gap(1), Para(wait_text(scene, wait.people, wait.minutes), BODY_BOLD)]
    blocks: list[Block] = [Para(scene.t("ui.confirm.wait"), BODY_BOLD)]
    if wait.people == 0:
        blocks.append(Para(scene.t("ui.confirm.wait_nobody"), BODY))
    else:
        blocks += [
            Pair(scene.t("ui.confirm.waiting"), scene.t("ui.wait.people", people=wait.people), BODY),
            Pair(scene.t("ui.confirm.wait_time"), scene.t("ui.wait.minutes", minutes=wait.minutes), BODY),
        ]
    return [*blocks, Gap(1), Para(scene.t("ui.confirm.wait_note"), SMALL_MUTED)]


def draw_confirm(p: Painter, scene: Scene, frame: Frame) -> None:
    """Where to go, the wait (when the kiosk can tell it), the fees and what to bring.

    The wait is said in full (its own section, with a note that it is an estimate) only where that
    keeps the type as large as without it; else in one line in the counter's panel."""
    route = scene.visit.route
    if route is None:  # the flow shows this screen only with a route
        return
    title = scene.t("ui.confirm.title")
    room = heading(p, frame.content, title, above=scene.t(f"procedure.{route.procedure.value}"))
    where = _counter(scene, route)
    counter: Section = [Panel(where, CHOICE, CHOICE_EDGE)]
    rest: list[Section] = [_fees(scene, route)]
    if route.bring:
        bring = [Bullet(item.label.get(scene.lang), BODY) for item in route.bring]
        rest.append([Para(scene.t("ui.confirm.bring"), BODY_BOLD), *bring])
    full, brief = _wait(scene, route), _wait(scene, route, brief=True)
    if not full:
        stack(p, room, [[counter, *rest]])
        return
    size = fitting_scale(p, room, [counter, *rest])  # the type size without the wait
    told = [counter, full, *rest]
    short = [[Panel([*where, *brief], CHOICE, CHOICE_EDGE)], *rest]
    stack(p, room, [told, short], floors=[size, SCALES[-1]])


PRINTING_DOTS = 5
PRINTING_STEPS_PER_S = 4  # a dot lights up four times a second: the screen is alive while the printer works


def printing_phase(state: State, now: datetime) -> int | None:
    """Which dot of "Printing your ticket…" is lit now; None on every other screen."""
    visit = state.visit
    if visit.screen is not Screen.TICKET or visit.ticket_stage is not TicketStage.ISSUING or state.entered_at is None:
        return None
    return int(max(0.0, (now - state.entered_at).total_seconds()) * PRINTING_STEPS_PER_S) % PRINTING_DOTS


def _printing_dots(p: Painter, scene: Scene, area: pygame.Rect) -> None:
    lit = printing_phase(scene.state, scene.now) or 0
    size, gap = p.m.px(4), p.m.px(3)
    left = area.centerx - (PRINTING_DOTS * size + (PRINTING_DOTS - 1) * gap) // 2
    top = area.centery + p.m.px(18)
    for i in range(PRINTING_DOTS):
        rect = pygame.Rect(left + i * (size + gap), top, size, size)
        pygame.draw.ellipse(p.surface, PRIMARY if i == lit else CHOICE, rect)


def draw_ticket(p: Painter, scene: Scene, frame: Frame) -> None:
    visit = scene.visit
    stage = visit.ticket_stage
    area = frame.content
    if stage is TicketStage.ISSUING or stage is None:
        stack(p, area, [[[Headline(scene.t("ui.ticket.issuing"), BIG)]]], middle=True)
        _printing_dots(p, scene, area)
        return
    if stage is TicketStage.FAILED:
        reason = visit.refusal.reason if visit.refusal is not None else "store_unavailable"
        words: list[Block] = [
            alert(Outcome.BLOCK, scene.t(f"reason.{reason}")),
            Gap(3),
            Para(scene.t("ui.ticket.failed"), TITLE),
        ]
        stack(p, area, [[words]], middle=True)
        return
    number: list[Block] = [
        Headline(scene.t("ui.ticket.your_number"), TITLE),
        Headline(visit.ticket_label or "", HUGE, least=0.4),
    ]
    route = visit.route
    where = _counter(scene, route, Align.CENTER) if route is not None else []
    take: Section = [Gap(2), Headline(scene.t("ui.ticket.take"), BIG)]
    if scene.state.card_present:  # forgotten cards are the classic kiosk failure: say it now
        take = [alert(Outcome.WARN, scene.t("ui.ticket.take_card"), BODY_BOLD), *take]
    if stage is TicketStage.PRINT_FAILED:
        take = [alert(Outcome.WARN, scene.t("ui.ticket.print_failed"))]
    if route is None:
        stack(p, area, [[number, where, take]], middle=True)
        return
    full = [number, where, _fee_total(scene, route), _bring(scene, route, listed=True), take]
    brief = [number, where, _fee_total(scene, route), _bring(scene, route, listed=False), take]
    stack(p, area, [full, brief], middle=True, columns=False)


def _fee_total(scene: Scene, route: Route) -> Section:
    """The fee in one line: the total estimate, or "ask at the counter" when it is not known."""
    total = route.fee.total_yen
    amount = scene.t("fee.ask") if total is None else scene.t("fee.yen", yen=grouped(total, scene.lang))
    return [Gap(1), Pair(scene.t("ui.confirm.fees"), amount, BODY_BOLD)]


def _bring(scene: Scene, route: Route, *, listed: bool) -> Section:
    if not route.bring:
        return []
    labels = [item.label.get(scene.lang) for item in route.bring]
    head = Para(scene.t("ui.confirm.bring"), BODY_BOLD)
    if listed:
        return [head, *(Bullet(label, BODY) for label in labels)]
    return [head, Para(scene.t("ui.list.join").join(labels), BODY)]


def draw_goodbye(p: Painter, scene: Scene, frame: Frame) -> None:
    visit = scene.visit
    sections: list[Section] = []
    if scene.state.card_present:  # the most forgotten thing in a lobby: say it big, show it
        sections.append([alert(Outcome.WARN, scene.t("ui.goodbye.card_left"), BIG)])
        sections.append([card_picture(placed=True, max_units=40)])
    elif visit.ticket_stage is TicketStage.PRINT_FAILED and visit.ticket_label is not None:
        # no paper to take away: keep the number on screen for the staff
        sections.append([Headline(scene.t("ui.ticket.your_number"), TITLE), Headline(visit.ticket_label, BIG)])
    elif visit.ticket_label is not None:
        key = "ui.goodbye.take_both" if visit.facts is not None else "ui.ticket.take"
        sections.append([Headline(scene.t(key), BIG)])
    sections.append([Headline(scene.t("ui.goodbye.thanks"), TITLE)])
    stack(p, frame.content, [sections], middle=True)
