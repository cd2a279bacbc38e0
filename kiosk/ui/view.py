"""The kiosk's screens as one object: draw a frame for a flow state, and turn touches into flow events.

`KioskView` owns an off-screen surface and draws the whole frame onto it; the shell blits it to
the display (or saves it, headless). It needs no window: fonts and plain surfaces are enough,
so tests and the scenario runner use `SDL_VIDEODRIVER=dummy`. The buttons of the last frame are
remembered, so a touch maps to exactly what the visitor saw.

Besides the flow's state the view keeps two things of its own, both forgotten whenever the screen
changes: which page of choices is shown, and whether the language chooser is open. `press`
carries out those buttons itself and bumps `version`, so the loop knows to redraw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType

import pygame

from kiosk.domain.flow import Continue, Event, Screen, State, TicketStage
from kiosk.site.model import ScreenConfig, SiteConfig
from kiosk.ui import buttons
from kiosk.ui.buttons import Action, ViewAction
from kiosk.ui.chrome import Frame, draw_chrome, draw_language_chooser
from kiosk.ui.painter import Look, Painter, TextMark
from kiosk.ui.scene import Scene
from kiosk.ui.screens.card import draw_card
from kiosk.ui.screens.choices import draw_procedure, draw_question
from kiosk.ui.screens.out_of_service import draw_out_of_service
from kiosk.ui.screens.refusal import draw_refusal
from kiosk.ui.screens.start import draw_language, draw_welcome
from kiosk.ui.screens.ticket import draw_confirm, draw_goodbye, draw_ticket, printing_phase
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
    Screen.OUT_OF_SERVICE: draw_out_of_service,
}


class KioskView:
    def __init__(
        self,
        config: SiteConfig,
        screen: ScreenConfig | tuple[int, int] | None = None,
        simulation: bool = False,
        target: pygame.Surface | None = None,
    ) -> None:
        """`screen` defaults to the config's; a bare size keeps the config's pixel density.
        `target` is a surface of the screen's size to draw on (the display itself, saving a copy
        of every frame); by default the view draws on a surface of its own."""
        if not pygame.font.get_init():
            pygame.font.init()
        if screen is None:
            screen = config.screen
        elif isinstance(screen, tuple):
            screen = config.screen.resized(screen)
        self.config = config
        self.screen = screen
        self.simulation = simulation
        if target is not None and target.get_size() != screen.size:
            raise ValueError(f"target surface {target.get_size()} is not the screen's size {screen.size}")
        self.surface = target if target is not None else pygame.Surface(screen.size)
        self._painter = Painter(self.surface, RenderedText(), screen.px_per_mm)
        self.version = 0  # bumped when the view's own state (page, chooser) changes
        self._where: tuple[object, ...] | None = None  # the screen the page and chooser belong to
        self._page = 0
        self._chooser = False
        self._details = False  # the verdict's full list, for staff

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    @property
    def page(self) -> tuple[int, int]:
        """The page of choices shown and how many there are (1-based, as the visitor reads it)."""
        return self._page + 1, self._painter.page_count

    @property
    def chooser_open(self) -> bool:
        return self._chooser

    def render(self, state: State, now: datetime) -> pygame.Surface:
        """Draw the whole frame for this state; remembers its buttons for `hit`."""
        where = _where(state)
        if where != self._where:
            self._where, self._page, self._chooser, self._details = where, 0, False, False
        scene = Scene(self.config, state, now, self.simulation, details=self._details)
        p = self._painter
        p.clear(scene.lang, self._page)
        frame = draw_chrome(p, scene)
        _SCREENS[state.screen](p, scene, frame)
        self._page = p.page  # clamped to the pages there are
        if frame.action is not None:
            p.button(buttons.CONTINUE, Continue(), frame.action, scene.t(_action_label(state)), look=Look.PRIMARY)
        if self._chooser:
            draw_language_chooser(p, scene)
        return self.surface

    def motion(self, state: State, now: datetime) -> int | None:
        """Where what moves on screen is (the dots of "Printing your ticket…"); None when nothing
        moves. The loop draws a frame when it changes."""
        return printing_phase(state, now)

    def press(self, pos: tuple[int, int]) -> Event | None:
        """A touch at `pos`: the flow event to dispatch, or None. The view's own buttons (pages,
        the language chooser) act here; the next `render` shows their effect."""
        action = self.hit(pos)
        if isinstance(action, ViewAction):
            self._act(action)
            return None
        if self._chooser and action is not None:
            self._chooser = False  # a language was chosen: the chooser has done its job
            self.version += 1
        return action

    def _act(self, action: ViewAction) -> None:
        if action is ViewAction.PAGE_NEXT:
            self._page += 1
        elif action is ViewAction.PAGE_PREVIOUS:
            self._page = max(0, self._page - 1)
        elif action in (ViewAction.SHOW_DETAILS, ViewAction.HIDE_DETAILS):
            self._details, self._page = action is ViewAction.SHOW_DETAILS, 0
        else:
            self._chooser = action is ViewAction.OPEN_LANGUAGES
        self.version += 1

    def buttons(self) -> Mapping[str, pygame.Rect]:
        """Button ids → rects of the last frame."""
        return MappingProxyType({b.id: pygame.Rect(b.rect) for b in self._painter.buttons.values()})

    def choice_ids(self) -> tuple[str, ...]:
        """The ids of the last frame's main choices (procedures, answers, languages, start)."""
        return tuple(b.id for b in self._painter.buttons.values() if b.choice)

    def texts(self) -> tuple[TextMark, ...]:
        """Every line of text of the last frame with the room it was given (for tests and review)."""
        return tuple(self._painter.marks)

    def event_for(self, button_id: str) -> Action | None:
        """What a button of the last frame stands for; None for an id not on screen."""
        button = self._painter.buttons.get(button_id)
        return button.event if button is not None else None

    def hit(self, pos: tuple[int, int]) -> Action | None:
        """A touch at `pos` → what the button under it stands for; None outside every button."""
        for button in reversed(self._painter.buttons.values()):  # the last drawn is on top
            if button.rect.collidepoint(pos):
                return button.event
        return None


def _where(state: State) -> tuple[object, ...]:
    """What makes one screen another for the view's own state: a new question starts at page 1."""
    visit = state.visit
    return (visit.screen, visit.question, visit.card_stage, visit.ticket_stage, len(visit.history))


def _action_label(state: State) -> str:
    visit = state.visit
    if state.screen is Screen.CONFIRM:
        return "ui.get_ticket"
    if state.screen is Screen.VERDICT and visit.refusal is None:
        return "ui.next"
    if state.screen is Screen.TICKET and visit.ticket_stage is not TicketStage.FAILED:
        return "ui.next"
    return "ui.finish"  # a blocked visit, a refusal, goodbye: nothing more to do here
