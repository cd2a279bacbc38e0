"""Out of service: staff took this kiosk out (the staff page). Nothing to press; the visitor is
asked, in every language of the site, to use the other machine or ask staff."""

from __future__ import annotations

import pygame

from kiosk.messages import text
from kiosk.ui.chrome import Frame
from kiosk.ui.layout import Gap, Para, Section, stack
from kiosk.ui.painter import Align, Painter
from kiosk.ui.scene import Scene
from kiosk.ui.theme import BIG, BODY, CHOICE, CHOICE_EDGE


def draw_out_of_service(p: Painter, scene: Scene, frame: Frame) -> None:
    area = frame.content
    p.panel(area, CHOICE, CHOICE_EDGE)
    said: Section = [
        block
        for lang in dict.fromkeys(scene.config.site.languages)
        for block in (
            Para(text("ui.out_of_service.title", lang), BIG, Align.CENTER),
            Para(text("ui.out_of_service.body", lang), BODY, Align.CENTER),
            Gap(3),
        )
    ]
    inner = area.inflate(-2 * p.m.px(4), -2 * p.m.px(4))
    stack(p, pygame.Rect(inner), [[said]], middle=True, columns=False)
