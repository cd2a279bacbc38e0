"""The first two screens: welcome (in every language at once) and the choice of language."""

from __future__ import annotations

import pygame

from kiosk.domain.flow import ChooseLanguage, Touch
from kiosk.messages import text
from kiosk.ui import buttons
from kiosk.ui.chrome import Frame, staff_and_english
from kiosk.ui.layout import Choice, Gap, Para, Section, choice_grid, heading, stack
from kiosk.ui.painter import Align, Painter
from kiosk.ui.scene import Scene
from kiosk.ui.theme import BIG, BODY, CHOICE, CHOICE_EDGE, TITLE


def draw_welcome(p: Painter, scene: Scene, frame: Frame) -> None:
    """Nobody has chosen a language yet, so everything is said in each of the site's languages."""
    area = frame.content
    langs = scene.config.site.languages
    # The call to act in every language; where we are and what the kiosk does in the staff's
    # language and English only: six of each would crowd out the call on a small screen.
    told = staff_and_english(scene)
    names = dict.fromkeys(scene.config.site.name.get(lang) for lang in told)
    y = area.y
    for i, name in enumerate(names):
        style = TITLE if i else BIG  # the site's own language first and largest
        scale = p.fit_scale(name, style, pygame.Rect(0, 0, area.w, p.line_h(style)))
        h = p.text_h(name, style, area.w, scale)
        p.text(name, style, pygame.Rect(area.x, y, area.w, h), scale=scale, align=Align.CENTER)
        y += h
    button = pygame.Rect(area.x, y + p.m.px(4), area.w, area.bottom - y - p.m.px(4))
    p.panel(button, CHOICE, CHOICE_EDGE)
    calls: Section = [block for lang in langs for block in (Para(text("ui.start", lang), BIG, Align.CENTER), Gap(2))]
    what: Section = [b for lang in told for b in (Para(text("ui.welcome.what", lang), BODY, Align.CENTER), Gap(2))]
    inner = button.inflate(-2 * p.m.px(4), -2 * p.m.px(4))
    stack(p, inner, [[[*calls, Gap(3), *what]]], middle=True, columns=False)
    p.register(buttons.START, button, Touch(), choice=True)


def draw_language(p: Painter, scene: Scene, frame: Frame) -> None:
    area = frame.content
    langs = scene.config.site.languages
    title = "\n".join(dict.fromkeys(text("ui.language.title", lang) for lang in staff_and_english(scene)))
    room = heading(p, area, title)
    choices = [
        Choice(buttons.lang_id(code), ChooseLanguage(code), text(f"ui.lang.{code}", code), style=BIG) for code in langs
    ]
    choice_grid(p, room, choices, middle=True)
