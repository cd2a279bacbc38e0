"""The kiosk's screens as one object: draw a frame for a flow state, and turn touches into flow events.

`KioskView` owns an off-screen surface and draws the whole frame onto it; the shell blits it to
the display (or saves it, headless). It needs no window: fonts and plain surfaces are enough,
so tests and the scenario runner use `SDL_VIDEODRIVER=dummy`. The buttons of the last frame are
remembered, so a touch maps to exactly what the visitor saw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType

import pygame

from kiosk.domain.flow import Continue, Event, Screen, State, TicketStage
from kiosk.site.model import SiteConfig
from kiosk.ui import buttons
from kiosk.ui.chrome import Frame, draw_chrome
from kiosk.ui.painter import Look, Painter, TextMark
from kiosk.ui.scene import Scene
from kiosk.ui.screens.card import draw_card
from kiosk.ui.screens.choices import draw_procedure, draw_question
from kiosk.ui.screens.refusal import draw_refusal
from kiosk.ui.screens.start import draw_language, draw_welcome
from kiosk.ui.screens.ticket import draw_confirm, draw_goodbye, draw_ticket
from kiosk.ui.screens.verdict import draw_verdict
from kiosk.ui.text import RenderedText

ScreenDrawing = Callable[[Painter, Scene, Frame], None]

_SCREENS: dict[Screen, ScreenDrawing] = {
    Screen.WELCOME: draw_welcome,
    Screen.LANGUAGE: draw_language,
    Screen.PROCEDURE: draw_procedure,
    Screen.QUESTION: draw_question,
    Screen.CARD: draw_card,
    Screen.VERDICT: draw_verdict,
    Screen.CONFIRM: draw_confirm,
    Screen.TICKET: draw_ticket,
    Screen.GOODBYE: draw_goodbye,
    Screen.REFUSAL: draw_refusal,
}


class KioskView:
    def __init__(self, config: SiteConfig, size: tuple[int, int] = (1080, 1920), simulation: bool = False) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.config = config
        self.simulation = simulation
        self.surface = pygame.Surface(size)
        self._painter = Painter(self.surface, RenderedText())

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    def render(self, state: State, now: datetime) -> pygame.Surface:
        """Draw the whole frame for this state; remembers its buttons for `hit`."""
        scene = Scene(self.config, state, now, self.simulation)
        p = self._painter
        p.clear()
        frame = draw_chrome(p, scene)
        _SCREENS[state.screen](p, scene, frame)
        if frame.action is not None:
            p.button(buttons.CONTINUE, Continue(), frame.action, scene.t(_action_label(state)), look=Look.PRIMARY)
        return self.surface

    def buttons(self) -> Mapping[str, pygame.Rect]:
        """Button ids → rects of the last frame."""
        return MappingProxyType({b.id: pygame.Rect(b.rect) for b in self._painter.buttons.values()})

    def choice_ids(self) -> tuple[str, ...]:
        """The ids of the last frame's main choices (procedures, answers, languages, start)."""
        return tuple(b.id for b in self._painter.buttons.values() if b.choice)

    def texts(self) -> tuple[TextMark, ...]:
        """Every line of text of the last frame with the room it was given (for tests and review)."""
        return tuple(self._painter.marks)

    def event_for(self, button_id: str) -> Event | None:
        """The flow event a button of the last frame stands for; None for an id not on screen."""
        button = self._painter.buttons.get(button_id)
        return button.event if button is not None else None

    def hit(self, pos: tuple[int, int]) -> Event | None:
        """A touch at `pos` → the event of the button under it; None outside every button."""
        for button in reversed(self._painter.buttons.values()):  # the last drawn is on top
            if button.rect.collidepoint(pos):
                return button.event
        return None


def _action_label(state: State) -> str:
    visit = state.visit
    if state.screen is Screen.CONFIRM:
        return "ui.get_ticket"
    if state.screen is Screen.VERDICT and visit.refusal is None:
        return "ui.next"
    if state.screen is Screen.TICKET and visit.ticket_stage is not TicketStage.FAILED:
        return "ui.next"
    return "ui.finish"  # a blocked visit, a refusal, goodbye: nothing more to do here
