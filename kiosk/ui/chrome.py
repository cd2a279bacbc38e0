"""What surrounds every screen: the simulation sign, the site name with the language bar, the
notices (staff called, idle countdown), back, the main action (continue) and call staff.

`draw_chrome` returns the room left for the screen itself and where its main action goes. In
portrait the chrome is a header and a footer; in landscape, where height is short, a column at
the right. Every button is at least a touch target (`Metrics.target`, 15 mm) on each side.

The language bar names every language of the site in itself. Where it does not fit (six
languages on a 7-inch panel, whose 15 mm buttons are 123 px), one globe button stands for it and
opens the language chooser over the screen (`draw_language_chooser`): the visit stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from kiosk.domain.flow import Back, CallStaff, ChooseLanguage, Screen, TicketStage
from kiosk.domain.model import Outcome
from kiosk.fonts import Face
from kiosk.messages import text
from kiosk.ui import buttons
from kiosk.ui.buttons import ViewAction
from kiosk.ui.icons import outcome_icon
from kiosk.ui.layout import Block, Choice, IconRow, Panel, Para, choice_grid, heading
from kiosk.ui.painter import Align, Look, Mark, Painter
from kiosk.ui.scene import Scene
from kiosk.ui.theme import (
    BIG,
    BODY,
    BODY_BOLD,
    INK,
    LABEL,
    NOTICE,
    PAGE,
    SIM_BG,
    SIM_INK,
    SMALL_MUTED,
    Size,
    TextStyle,
)

SITE_NAME = TextStyle(Face.BOLD, Size.SMALL)
SIM_STYLE = TextStyle(Face.BOLD, Size.SMALL, SIM_INK)

# welcome and out-of-service speak every language; language is the choice
_NO_LANGUAGE_BAR = (Screen.WELCOME, Screen.LANGUAGE, Screen.OUT_OF_SERVICE)
# A number once issued is never taken back; out of service there is nowhere to go back to.
_NO_BACK = (Screen.WELCOME, Screen.TICKET, Screen.GOODBYE, Screen.OUT_OF_SERVICE)


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
    between = max(m.px(4), m.target_gap)
    back_w = (footer.w - between) * 2 // 5
    staff_w = footer.w - back_w - between
    _staff(p, scene, pygame.Rect(footer.right - staff_w, footer.y, staff_w, footer.h))
    if screen not in _NO_BACK:
        _back(p, scene, pygame.Rect(footer.x, footer.y, back_w, footer.h))
    bottom = _notices(p, scene, left, right, footer.y - m.target_gap)
    action = None
    if has_action(scene):
        action = pygame.Rect(left, bottom - m.action_h, right - left, m.action_h)
        bottom = action.y - m.target_gap
    return Frame(pygame.Rect(left, top, right - left, bottom - top), action)


def _landscape(p: Painter, scene: Scene) -> Frame:
    """Height is what a landscape screen lacks, so everything but the content goes into a column
    at the right: simulation badge and languages at its top; the action, back and
    call staff at its bottom, where a hand rests."""
    m = p.m
    screen = scene.state.screen
    side_w = max(m.px(36), m.target)
    side = pygame.Rect(m.width - m.margin - side_w, m.margin, side_w, m.height - 2 * m.margin)
    y = side.y
    if scene.simulation:
        y = _simulation_badge(p, scene, pygame.Rect(side.x, y, side.w, m.px(12))) + m.gap
    bottom = side.bottom - m.button_h
    _staff(p, scene, pygame.Rect(side.x, bottom, side.w, m.button_h))
    if screen not in _NO_BACK:
        bottom -= m.button_h + m.target_gap
        _back(p, scene, pygame.Rect(side.x, bottom, side.w, m.button_h))
    action = None
    if has_action(scene):
        bottom -= m.action_h + m.target_gap
        action = pygame.Rect(side.x, bottom, side.w, m.action_h)
    # No site name here: the column has no room to spare, and the welcome screen says where we are.
    if screen not in _NO_LANGUAGE_BAR:
        codes = scene.config.site.languages
        room = bottom - m.target_gap - y
        if len(codes) * m.bar_h + (len(codes) - 1) * m.target_gap <= room:
            for code in codes:
                _language(p, scene, code, pygame.Rect(side.x, y, side.w, m.bar_h))
                y += m.bar_h + m.target_gap
        else:
            _chooser_button(p, scene, pygame.Rect(side.x, y, side.w, m.bar_h))
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
        codes = scene.config.site.languages
        widths = [_button_w(p, text(f"ui.lang.{code}", code)) for code in codes]
        # The bar when it leaves the site name a third of the row; else the chooser button.
        if sum(widths) + (len(codes) - 1) * m.target_gap <= row.w * 2 // 3:
            for code, w in reversed(list(zip(codes, widths, strict=True))):
                rect = pygame.Rect(right - w, row.y, w, row.h)
                _language(p, scene, code, rect)
                right = rect.x - m.target_gap
        else:
            # At most two thirds of the row, like the bar: a long name wraps inside the button.
            w = min(_button_w(p, _chooser_label(scene)), row.w * 2 // 3)
            rect = pygame.Rect(right - w, row.y, w, row.h)
            _chooser_button(p, scene, rect)
            right = rect.x - m.target_gap
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


def _button_w(p: Painter, label: str) -> int:
    """A bar button's width: its label on one line beside a mark, never under a touch target."""
    longest = max(p.line_w(line, LABEL) for line in label.split("\n"))
    return max(p.m.px(18), p.m.target, longest + 2 * p.button_pad() + p.m.px(6))


def _chooser_label(scene: Scene) -> str:
    """The language in use, and the word for "language" in English too: the one a lost visitor finds."""
    words = [text(f"ui.lang.{scene.lang}", scene.lang)]
    if scene.lang != "en":
        words.append("Language")
    return " / ".join(words)


def _chooser_button(p: Painter, scene: Scene, rect: pygame.Rect) -> None:
    label = _chooser_label(scene)
    p.button(buttons.LANGUAGES, ViewAction.OPEN_LANGUAGES, rect, label, look=Look.PLAIN, mark=Mark.GLOBE)


def draw_language_chooser(p: Painter, scene: Scene) -> None:
    """Every language as a big button over the dimmed screen, and a close button; the buttons
    below stop answering (the painter forgets them) until it is closed."""
    m = p.m
    p.buttons = {}
    shade = pygame.Surface(p.surface.get_size(), pygame.SRCALPHA)
    shade.fill((0, 0, 0, 150))
    p.surface.blit(shade, (0, 0))
    sheet = p.surface.get_rect().inflate(-2 * m.margin, -2 * m.margin)
    p.panel(sheet, PAGE, INK)
    inner = sheet.inflate(-2 * m.margin, -2 * m.margin)
    close = pygame.Rect(inner.x, inner.bottom - m.button_h, inner.w, m.button_h)
    p.button(buttons.CLOSE, ViewAction.CLOSE_LANGUAGES, close, scene.t("ui.close"), look=Look.PLAIN, mark=Mark.BACK)
    langs = scene.config.site.languages
    title = "\n".join(dict.fromkeys(text("ui.language.title", lang) for lang in staff_and_english(scene, scene.lang)))
    room = heading(p, pygame.Rect(inner.x, inner.y, inner.w, close.y - m.target_gap - inner.y), title)
    choices = [
        Choice(buttons.lang_id(code), ChooseLanguage(code), text(f"ui.lang.{code}", code), style=BIG) for code in langs
    ]
    choice_grid(p, room, choices)


def _staff(p: Painter, scene: Scene, rect: pygame.Rect) -> None:
    p.button(buttons.STAFF, CallStaff(), rect, _words(scene, "ui.staff"), look=Look.STAFF, mark=Mark.PERSON)


def _back(p: Painter, scene: Scene, rect: pygame.Rect) -> None:
    p.button(buttons.BACK, Back(), rect, _words(scene, "ui.back"), look=Look.PLAIN, mark=Mark.BACK)


def staff_and_english(scene: Scene, *first: str) -> list[str]:
    """The languages that speak for all before one is chosen: `first`, the staff's and English.
    Six languages would not fit a button or a heading at a readable size; each language button
    names itself, and the call to start is said in every language."""
    site = scene.config.site
    return list(dict.fromkeys([*first, *(lang for lang in site.languages if lang in (site.default_language, "en"))]))


def _words(scene: Scene, key: str) -> str:
    """Before a language is chosen, a button speaks the staff's language and English, one per line
    (「係員を呼ぶ / Call staff」)."""
    if scene.state.screen in _NO_LANGUAGE_BAR:
        return "\n".join(dict.fromkeys(text(key, lang) for lang in staff_and_english(scene)))
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
    if scene.mentions_portal():
        # R20: wherever the portal is spoken of, what it shows is no licence and no ID.
        note = Para(scene.t("note.R20.portal_not_id"), SMALL_MUTED)
        h = note.height(p, right - left, 1.0)
        note.draw(p, pygame.Rect(left, bottom - h, right - left, h), 1.0)
        bottom -= h + m.gap
    return bottom
