"""Accessibility as tests: call staff everywhere, back on every step, outcomes told apart without colour.

(Contrast of every text colour on its background is in test_theme.py; touch sizes of every button
on every screen in test_view.py; the idle countdown in test_view.py.)
"""

from __future__ import annotations

import pygame
import pytest

from kiosk.demo.gallery import Scenario, scenarios
from kiosk.domain.flow import Back, CallStaff, Flow, RaiseStaffCall, Screen
from kiosk.domain.model import Outcome
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig
from kiosk.ui.icons import OutcomeIcon
from kiosk.ui.view import KioskView
from tests.conftest import REPO

GALLERY = scenarios(load_site_config(REPO / "config"), "en")
NO_BACK = (Screen.WELCOME, Screen.TICKET, Screen.GOODBYE)  # a number once issued is never taken back


@pytest.mark.parametrize("scenario", GALLERY, ids=[s.name for s in GALLERY])
def test_call_staff_is_on_every_screen_and_raises_the_staff_call(site_config: SiteConfig, scenario: Scenario) -> None:
    view = KioskView(scenario.config)
    view.render(scenario.state, scenario.now)
    event = view.press(view.buttons()["staff"].center)
    assert event == CallStaff()
    state, effects = Flow(scenario.config).transition(scenario.state, event, scenario.now)
    assert effects == (RaiseStaffCall(scenario.state.screen),)
    assert state.visit.staff_called


@pytest.mark.parametrize("scenario", GALLERY, ids=[s.name for s in GALLERY])
def test_back_is_on_every_step_and_goes_back(site_config: SiteConfig, scenario: Scenario) -> None:
    view = KioskView(scenario.config)
    view.render(scenario.state, scenario.now)
    if scenario.state.screen in NO_BACK:
        assert "back" not in view.buttons()
        return
    event = view.press(view.buttons()["back"].center)
    assert event == Back()
    state, _ = Flow(scenario.config).transition(scenario.state, event, scenario.now)
    assert state.visit != scenario.state.visit  # somewhere else: the step before (or the start)


def _shape(outcome: Outcome, size: int = 96) -> pygame.Surface:
    """The outcome's icon with colour taken away: dark or light, as a colour-blind visitor may see it."""
    surface = pygame.Surface((size, size))
    surface.fill((255, 255, 255))
    OutcomeIcon(outcome)(surface, surface.get_rect())
    return pygame.transform.grayscale(surface)


@pytest.mark.parametrize(
    ("a", "b"), [(a, b) for i, a in enumerate(Outcome) for b in list(Outcome)[i + 1 :]], ids=lambda o: o.value
)
def test_outcomes_differ_by_shape_not_only_by_colour(a: Outcome, b: Outcome) -> None:
    first, second = _shape(a), _shape(b)
    dark_a = {(x, y) for x in range(96) for y in range(96) if first.get_at((x, y)).r < 128}
    dark_b = {(x, y) for x in range(96) for y in range(96) if second.get_at((x, y)).r < 128}
    assert len(dark_a ^ dark_b) > 0.1 * len(dark_a | dark_b)  # a tenth of the ink is elsewhere
