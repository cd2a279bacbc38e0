"""Out of service (staff page): at once on the welcome screen, after the visit otherwise; and back."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.domain.flow import CallStaff, ChooseLanguage, Flow, Screen, ServiceMode, Tick, Touch
from kiosk.site.model import SiteConfig

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_out_of_service_at_once_on_the_welcome_screen_and_back(site_config: SiteConfig) -> None:
    flow = Flow(site_config)
    state, _ = flow.transition(flow.start(NOW), ServiceMode(True), NOW)
    assert state.screen is Screen.OUT_OF_SERVICE
    state, effects = flow.transition(state, Touch(), NOW)
    assert state.screen is Screen.OUT_OF_SERVICE and effects == ()
    state, effects = flow.transition(state, CallStaff(), NOW)  # asking staff still works
    assert effects and state.screen is Screen.OUT_OF_SERVICE
    state, _ = flow.transition(state, Tick(), NOW + timedelta(hours=1))  # no idle timeout moves it
    assert state.screen is Screen.OUT_OF_SERVICE
    state, _ = flow.transition(state, ServiceMode(False), NOW)
    assert state.screen is Screen.WELCOME


def test_a_visit_under_way_finishes_before_the_kiosk_goes_out_of_service(site_config: SiteConfig) -> None:
    flow = Flow(site_config)
    state = flow.start(NOW)
    for event in (Touch(), ChooseLanguage("ja"), ServiceMode(True)):
        state, _ = flow.transition(state, event, NOW)
    assert state.screen is Screen.PROCEDURE and state.out_of_service
    later = NOW + timedelta(seconds=site_config.site.idle_timeout_s + 1)
    state, _ = flow.transition(state, Tick(), later)
    assert state.screen is Screen.OUT_OF_SERVICE
