"""What surrounds every screen: the simulation sign, the site name with the language bar, the
notices (staff called, idle countdown), back, the main action (continue) and call staff.

`draw_chrome` returns the room left for the screen itself and where its main action goes. In
portrait the chrome is a header and a footer; in landscape, where height is short, a column at
the right.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.domain.flow import Back, CallStaff, ChooseLanguage, Screen, TicketStage
from kiosk.domain.model import Outcome
from kiosk.fonts import Face
from kiosk.messages import text
from kiosk.ui import buttons
from kiosk.ui.icons import outcome_icon
from kiosk.ui.layout import Block, IconRow, Panel, Para
from kiosk.ui.painter import Align, Look, Mark, Painter
from kiosk.ui.scene import Scene
from kiosk.ui.theme import BODY, BODY_BOLD, INK, LABEL, NOTICE, SIM_BG, SIM_INK, Size, TextStyle

SITE_NAME = TextStyle(Face.BOLD, Size.SMALL)
SIM_STYLE = TextStyle(Face.BOLD, Size.SMALL, SIM_INK)

_NO_LANGUAGE_BAR = (Screen.WELCOME, Screen.LANGUAGE)  # welcome speaks every language; language is the choice
_NO_BACK = (Screen.WELCOME, Screen.TICKET, Screen.GOODBYE)  # a number once issued is never taken back


@dataclass(frozen=True)
class Frame:
    content: pygame.Rect  # the room for the screen's own content
    action: pygame.Rect | None  # where the main action (continue) goes, when the screen has one


def has_action(scene: Scene) -> bool:
    screen = scene.state.screen
    if screen is Screen.TICKET:
        return scene.visit.ticket_stage is not TicketStage.ISSUING
    return screen in (Screen.VERDICT, Screen.CONFIRM, Screen.GOODBYE, Screen.REFUSAL)


def draw_chrome(p: Painter, scene: Scene) -> Frame:
    return _landscape(p, scene) if p.m.landscape else _portrait(p, scene)


def _portrait(p: Painter, scene: Scene) -> Frame:
    """Simulation strip and header on top; back and call staff at the bottom, the action above them."""
    m = p.m
    screen = scene.state.screen
    top = _simulation_strip(p, scene) if scene.simulation else 0
    top += m.margin
    left, right = m.margin, m.width - m.margin
    if screen is not Screen.WELCOME:
        top = _header(p, scene, pygame.Rect(left, top, right - left, m.bar_h)) + m.gap
    footer = pygame.Rect(left, m.height - m.margin - m.button_h, right - left, m.button_h)
    back_w = (footer.w - m.px(4)) * 2 // 5
    staff_w = footer.w - back_w - m.px(4)
    _staff(p, scene, pygame.Rect(footer.right - staff_w, footer.y, staff_w, footer.h))
    if screen not in _NO_BACK:
        _back(p, scene, pygame.Rect(footer.x, footer.y, back_w, footer.h))
    bottom = _notices(p, scene, left, right, footer.y - m.gap)
    action = None
    if has_action(scene):
        action = pygame.Rect(left, bottom - m.px(15), right - left, m.px(15))
        bottom = action.y - m.gap
    return Frame(pygame.Rect(left, top, right - left, bottom - top), action)


def _landscape(p: Painter, scene: Scene) -> Frame:
    """Height is what a landscape screen lacks, so everything but the content goes into a column
    at the right: simulation badge and languages at its top; the action, back and
    call staff at its bottom, where a hand rests."""
    m = p.m
    screen = scene.state.screen
    side_w = m.px(36)
    side = pygame.Rect(m.width - m.margin - side_w, m.margin, side_w, m.height - 2 * m.margin)
    y = side.y
    if scene.simulation:
        y = _simulation_badge(p, scene, pygame.Rect(side.x, y, side.w, m.px(12))) + m.gap
    # No site name here: the column has no room to spare, and the welcome screen says where we are.
    if screen not in _NO_LANGUAGE_BAR:
        for code in scene.config.site.languages:
            _language(p, scene, code, pygame.Rect(side.x, y, side.w, m.bar_h))
            y += m.bar_h + m.gap
    bottom = side.bottom - m.button_h
    _staff(p, scene, pygame.Rect(side.x, bottom, side.w, m.button_h))
    if screen not in _NO_BACK:
        bottom -= m.button_h + m.gap
        _back(p, scene, pygame.Rect(side.x, bottom, side.w, m.button_h))
    action = None
    if has_action(scene):
        bottom -= m.px(15) + m.gap
        action = pygame.Rect(side.x, bottom, side.w, m.px(15))
    left, right = m.margin, side.x - 2 * m.gap
    content_bottom = _notices(p, scene, left, right, side.bottom)
    return Frame(pygame.Rect(left, side.y, right - left, content_bottom - side.y), action)


def _simulation_strip(p: Painter, scene: Scene) -> int:
    """A black-and-yellow strip across the top: nobody mistakes the simulated devices for real ones."""
    m = p.m
    h = m.px(6.5)
    strip = pygame.Rect(0, 0, m.width, h)
    pygame.draw.rect(p.surface, SIM_BG, strip)
    stripe = m.px(2)
    for x in range(-h, m.width + h, 2 * stripe):  # hazard stripes at the bottom edge
        pygame.draw.polygon(
            p.surface,
            SIM_INK,
            [(x, h), (x + stripe, h), (x + stripe + m.px(1), h - m.px(1)), (x + m.px(1), h - m.px(1))],
        )
    words = _simulation_words(scene)
    box = strip.inflate(-2 * m.margin, -m.px(1.4)).move(0, -m.px(0.5))
    p.text(words, SIM_STYLE, box, align=Align.RIGHT, middle=True, scale=p.fit_scale(words, SIM_STYLE, box))
    return h


def _simulation_badge(p: Painter, scene: Scene, room: pygame.Rect) -> int:
    """The simulation sign as a black-and-yellow box; returns its bottom."""
    pad = p.m.px(1.2)
    words = _simulation_words(scene).replace(" / ", "\n")
    inner = room.inflate(-2 * pad, -2 * pad)
    scale = p.fit_scale(words, SIM_STYLE, inner)
    h = p.text_h(words, SIM_STYLE, inner.w, scale) + 2 * pad
    box = pygame.Rect(room.x, room.y, room.w, h)
    pygame.draw.rect(p.surface, SIM_BG, box)
    pygame.draw.rect(p.surface, SIM_INK, box, p.m.edge * 2)
    p.text(words, SIM_STYLE, box.inflate(-2 * pad, -2 * pad), scale=scale, align=Align.CENTER)
    return box.bottom


def _simulation_words(scene: Scene) -> str:
    """In the visitor's language and the staff's (the site default), once each."""
    langs = dict.fromkeys((scene.lang, scene.config.site.default_language))
    return " / ".join(text("ui.simulation", lang) for lang in langs)


def _header(p: Painter, scene: Scene, row: pygame.Rect) -> int:
    """Site name at the left, the language bar at the right. Returns the bottom."""
    m = p.m
    right = row.right
    if scene.state.screen not in _NO_LANGUAGE_BAR:
        for code in reversed(scene.config.site.languages):
            label = text(f"ui.lang.{code}", code)
            w = max(m.px(18), p.line_w(label, LABEL) + 2 * p.button_pad() + m.px(6))
            rect = pygame.Rect(right - w, row.y, w, row.h)
            _language(p, scene, code, rect)
            right = rect.x - m.gap
    name = scene.config.site.name.get(scene.lang)
    box = pygame.Rect(row.x, row.y, right - row.x - m.gap, row.h)
    p.text(name, SITE_NAME, box, middle=True, scale=p.fit_scale(name, SITE_NAME, box))
    return row.bottom


def _language(p: Painter, scene: Scene, code: str, rect: pygame.Rect) -> None:
    """One button of the language bar, named in its own language; the one in use is ticked."""
    label = text(f"ui.lang.{code}", code)
    selected = code == scene.lang
    look = Look.SELECTED if selected else Look.PLAIN
    p.button(buttons.lang_id(code), ChooseLanguage(code), rect, label, look=look, mark=Mark.CHECK if selected else None)


def _staff(p: Painter, scene: Scene, rect: pygame.Rect) -> None:
    p.button(buttons.STAFF, CallStaff(), rect, _words(scene, "ui.staff"), look=Look.STAFF, mark=Mark.PERSON)


def _back(p: Painter, scene: Scene, rect: pygame.Rect) -> None:
    p.button(buttons.BACK, Back(), rect, _words(scene, "ui.back"), look=Look.PLAIN, mark=Mark.BACK)


def _words(scene: Scene, key: str) -> str:
    """Before a language is chosen, a button speaks every language of the site, one per line."""
    if scene.state.screen in _NO_LANGUAGE_BAR:
        return "\n".join(dict.fromkeys(text(key, lang) for lang in scene.config.site.languages))
    return scene.t(key)


def _notices(p: Painter, scene: Scene, left: int, right: int, bottom: int) -> int:
    """Banners just above the footer, each with an icon; returns the new bottom of the content."""
    m = p.m
    notices: list[tuple[Outcome, list[Block]]] = []
    if scene.visit.staff_called and scene.state.screen is not Screen.WELCOME:
        notices.append((Outcome.OK, [Para(scene.t("ui.staff_called"), BODY_BOLD)]))
    seconds = scene.idle_countdown()
    if seconds is not None:
        countdown: list[Block] = [
            Para(scene.t("ui.idle", seconds=seconds), BODY_BOLD),
            Para(scene.t("ui.idle.keep"), BODY),
        ]
        notices.append((Outcome.WARN, countdown))
    for outcome, words in reversed(notices):

        def icon(surface: pygame.Surface, rect: pygame.Rect, outcome: Outcome = outcome) -> None:
            outcome_icon(surface, rect, outcome)

        banner = Panel([IconRow(icon, words, icon_units=6)], NOTICE, INK, pad_units=1.6)
        h = banner.height(p, right - left, 1.0)
        rect = pygame.Rect(left, bottom - h, right - left, h)
        banner.draw(p, rect, 1.0)
        bottom = rect.y - m.gap
    return bottom
