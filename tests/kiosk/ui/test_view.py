"""Every screen, card stage and ticket stage, in each language and three screen sizes.

The states come from real `Flow` transitions (scenarios.py). For each frame: every button the
screen must offer is there and on the surface, a tap at its centre gives its event, no two
buttons overlap, and no line of text leaves the surface or the room it was given.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pygame
import pytest

from kiosk.demo.gallery import MORNING, RENEWAL_PLASTIC, Scenario, scenarios, walk
from kiosk.domain.flow import (
    AnswerQuestion,
    Back,
    CallStaff,
    ChooseLanguage,
    ChooseProcedure,
    Continue,
    Event,
    Flow,
    Question,
    Screen,
    State,
    TicketStage,
    Touch,
    options_for,
)
from kiosk.domain.model import Procedure
from kiosk.fonts import Face, coverage, font_files
from kiosk.messages import text
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig
from kiosk.ui.buttons import PAGE_NEXT, PAGE_PREVIOUS
from kiosk.ui.theme import BODY_MIN_MM, TOUCH_MM
from kiosk.ui.view import KioskView
from tests.kiosk.ui.sizes import PI_5, PI_7, SCREENS

MESSAGE_KEY = re.compile(r"\b(ui|procedure|status|question|option|outcome|check|reason|remedy|fee)\.[A-Za-z_]")
CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
PAGING = {PAGE_NEXT, PAGE_PREVIOUS}


@pytest.fixture(scope="module")
def config() -> SiteConfig:
    return load_site_config(CONFIG_DIR)


def expected_ids(config: SiteConfig, state: State) -> set[str]:
    """The buttons each screen must offer (the scenario runner taps them by these ids)."""
    screen = state.screen
    visit = state.visit
    ids = {"staff"}
    langs = {f"lang:{code}" for code in config.site.languages}
    if screen is Screen.WELCOME:
        return ids | {"start"}
    ids |= langs
    if screen not in (Screen.TICKET, Screen.GOODBYE):
        ids.add("back")
    if screen is Screen.PROCEDURE:
        ids |= {f"procedure:{p.value}" for p in Procedure}
    if screen is Screen.QUESTION:
        assert visit.question is not None
        ids |= {f"answer:{visit.question.value}:{v}" for v in options_for(visit.question, visit.answers)}
    if screen in (Screen.VERDICT, Screen.CONFIRM, Screen.GOODBYE, Screen.REFUSAL):
        ids.add("continue")
    if screen is Screen.VERDICT:
        ids.add("details")  # the full list, for staff
        if Flow.offers_plastic_path(visit):
            ids.add("plastic_path")  # R4: the way forward on the plastic licence card
    if screen is Screen.TICKET and visit.ticket_stage is not TicketStage.ISSUING:
        ids.add("continue")
    return ids


def _cases(config_dir: Path) -> list[tuple[str, str, Scenario]]:
    config = load_site_config(config_dir)
    langs = config.site.languages  # every language the site offers, on every screen size
    return [(lang, size, sc) for size in SCREENS for lang in langs for sc in scenarios(config, lang)]


CASES = _cases(CONFIG_DIR)


@pytest.mark.parametrize(("lang", "size", "scenario"), CASES, ids=[f"{s.name}-{lang}-{n}" for lang, n, s in CASES])
def test_frame_offers_its_buttons_and_keeps_everything_on_screen(lang: str, size: str, scenario: Scenario) -> None:
    """Every page of the frame (one, unless its choices do not fit at a touchable size)."""
    view = KioskView(scenario.config, SCREENS[size], simulation=True)  # a fresh view starts at page 1
    view.render(scenario.state, scenario.now)
    shown: set[str] = set()
    for _ in range(16):  # the 5-inch stress panel pages the menu and a long verdict one item at a time
        _check_frame(view, lang)
        rects = view.buttons()
        shown |= set(rects)
        if PAGE_NEXT not in rects:
            break
        assert view.press(rects[PAGE_NEXT].center) is None  # turning a page is the view's own business
        view.render(scenario.state, scenario.now)
    assert PAGE_NEXT not in view.buttons(), "pages without end"
    expected = expected_ids(scenario.config, scenario.state)
    if "languages" in shown:  # the bar did not fit: one button opens the language chooser instead
        expected = {i for i in expected if not i.startswith("lang:")} | {"languages"}
    assert shown - PAGING == expected


def _check_frame(view: KioskView, lang: str) -> None:
    target = math.ceil(TOUCH_MM * view.screen.px_per_mm)
    bounds = view.surface.get_rect()
    rects = view.buttons()
    for button_id, rect in rects.items():
        assert bounds.contains(rect), f"{button_id} {rect} leaves the surface {bounds}"
        assert min(rect.w, rect.h) >= target, f"{button_id} {rect} is under {TOUCH_MM} mm ({target} px)"
        assert view.hit(rect.center) == view.event_for(button_id)
        assert view.event_for(button_id) is not None
    items = list(rects.items())
    for i, (a_id, a) in enumerate(items):
        for b_id, b in items[i + 1 :]:
            assert not a.colliderect(b), f"{a_id} {a} overlaps {b_id} {b}"
    for mark in view.texts():
        assert bounds.contains(mark.rect), f"{mark.text!r} leaves the surface"
        assert mark.box.contains(mark.rect), f"{mark.text!r} {mark.rect} leaves its room {mark.box}"
        assert not MESSAGE_KEY.search(mark.text), f"no words for {mark.text!r}"  # text() echoes unknown keys
        fonts = font_files(Face.REGULAR, lang) + font_files(Face.BOLD, lang)
        assert any(not coverage(f).missing(mark.text) for f in fonts), f"no font of {lang} draws {mark.text!r}"


def test_main_choice_buttons_are_big(config: SiteConfig) -> None:
    view = KioskView(config, (1080, 1920))
    flow = Flow(config)
    view.render(walk(flow, "ja", []), MORNING)
    choices = [view.buttons()[i] for i in view.choice_ids()]
    assert len(choices) == len(Procedure)
    assert all(r.h >= 150 for r in choices)


def test_a_touch_outside_every_button_is_nothing(config: SiteConfig) -> None:
    view = KioskView(config, (1080, 1920))
    view.render(walk(Flow(config), "ja", []), MORNING)
    taken = list(view.buttons().values())
    free = next(
        (x, y) for y in range(0, 1920, 10) for x in range(0, 1080, 10) if not any(r.collidepoint(x, y) for r in taken)
    )
    assert view.hit(free) is None


def test_button_events_are_the_flow_events(config: SiteConfig) -> None:
    view = KioskView(config, (1080, 1920))
    flow = Flow(config)
    view.render(flow.start(MORNING), MORNING)
    assert view.event_for("start") == Touch()
    assert view.event_for("staff") == CallStaff()
    assert view.event_for("back") is None  # not on the welcome screen
    view.render(walk(flow, "ja", RENEWAL_PLASTIC[:1]), MORNING)
    assert view.event_for("answer:current:both") == AnswerQuestion(Question.CURRENT, "both")
    assert view.event_for("back") == Back()
    view.press(view.buttons()["languages"].center)  # six languages: the bar is a chooser
    view.render(walk(flow, "ja", RENEWAL_PLASTIC[:1]), MORNING)
    assert view.event_for("lang:en") == ChooseLanguage("en")
    view.press(view.buttons()["close"].center)
    view.render(walk(flow, "ja", []), MORNING)
    assert view.event_for("procedure:renewal") == ChooseProcedure(Procedure.RENEWAL)
    view.render(walk(flow, "ja", [*RENEWAL_PLASTIC]), MORNING)
    assert view.event_for("continue") == Continue()


def test_tapping_through_the_view_walks_the_flow(config: SiteConfig) -> None:
    """The ids are enough to drive a visit, as the headless scenario runner does."""
    view = KioskView(config, (1080, 1920))
    flow = Flow(config)
    state = flow.start(MORNING)
    taps = ["start", "lang:en", "procedure:renewal", "answer:current:license_only", "answer:wanted:license_only"]
    taps += ["answer:lecture_class:excellent", "continue"]
    for button_id in taps:
        view.render(state, MORNING)
        event = view.hit(view.buttons()[button_id].center)
        assert event is not None, button_id
        state, _ = flow.transition(state, event, MORNING)
    assert state.screen is Screen.TICKET


def _words(view: KioskView) -> str:
    return "\n".join(m.text for m in view.texts())


def test_closed_procedure_is_greyed_with_todays_hours_and_still_tappable(config: SiteConfig) -> None:
    from kiosk.demo.gallery import LATE_MORNING

    view = KioskView(config, (1080, 1920))
    view.render(walk(Flow(config), "ja", [], LATE_MORNING), LATE_MORNING)
    assert "13:00〜14:30" in _words(view)
    assert "9:10" not in _words(view)  # back-to-back windows read as one span
    while view.event_for("procedure:myna_service") is None and PAGE_NEXT in view.buttons():
        view.press(view.buttons()[PAGE_NEXT].center)  # twelve procedures: the menu may take pages
        view.render(walk(Flow(config), "ja", [], LATE_MORNING), LATE_MORNING)
    assert view.event_for("procedure:myna_service") == ChooseProcedure(Procedure.MYNA_SERVICE)


def test_a_refusal_for_a_lecture_class_shows_that_class_hours(config: SiteConfig) -> None:
    from kiosk.demo.gallery import RENEWAL_PLASTIC as R

    view = KioskView(config, (1080, 1920))
    refused = walk(Flow(config), "ja", [*R[:3], AnswerQuestion(Question.LECTURE_CLASS, "violation")])
    assert refused.screen is Screen.REFUSAL
    view.render(refused, MORNING)
    words = _words(view)
    assert "8:30〜9:10、13:00〜13:40" in words  # the violation class's windows, not 8:30〜10:00
    assert "窓口でご確認ください" in words  # example hours are never stated as fact


def test_idle_countdown_shows_the_seconds_left(config: SiteConfig) -> None:
    view = KioskView(config, (1080, 1920))
    state = walk(Flow(config), "en", [])
    quiet = MORNING + timedelta(seconds=config.site.idle_timeout_s - 60)
    view.render(state, quiet)
    assert "Returning" not in _words(view)
    soon = MORNING + timedelta(seconds=config.site.idle_timeout_s - 7.5)
    view.render(state, soon)
    assert "Returning to the start in 8 s." in _words(view).replace("\n", " ")


def test_staff_called_is_shown(config: SiteConfig) -> None:
    view = KioskView(config, (1080, 1920))
    view.render(walk(Flow(config), "en", [CallStaff()]), MORNING)
    assert "Staff have been called" in _words(view)


@pytest.mark.parametrize("size", list(SCREENS.values()), ids=list(SCREENS))
def test_simulation_sign_only_in_simulation(config: SiteConfig, size: object) -> None:
    state = walk(Flow(config), "en", [])
    real = KioskView(config, size)
    real.render(state, MORNING)
    assert "SIMULATION" not in _words(real)
    sim = KioskView(config, size, simulation=True)
    sim.render(state, MORNING)
    assert "SIMULATION" in _words(sim) and "模擬" in _words(sim)


def test_goodbye_insists_on_a_card_left_on_the_reader(config: SiteConfig) -> None:
    view = KioskView(config, (1080, 1920))
    goodbye = walk(Flow(config), "en", [*RENEWAL_PLASTIC, Continue()])
    state = replace(goodbye, visit=replace(goodbye.visit, screen=Screen.GOODBYE), card_present=True)
    view.render(state, MORNING)
    assert "Your card is still on the reader" in _words(view).replace("\n", " ")


def test_png_of_every_screen_can_be_saved(config: SiteConfig, tmp_path: Path) -> None:
    view = KioskView(config, PI_7, simulation=True)
    for scenario in scenarios(config, "ja"):
        view.config = scenario.config
        out = tmp_path / f"{scenario.name}.png"
        pygame.image.save(view.render(scenario.state, scenario.now), out)
        assert out.stat().st_size > 1000


def test_choices_that_do_not_fit_at_15_mm_turn_pages_instead_of_shrinking(config: SiteConfig) -> None:
    from kiosk.demo.gallery import LATE_MORNING  # closed procedures say why: longer buttons

    view = KioskView(config, PI_7, simulation=True)
    state = walk(Flow(config), "en", [], LATE_MORNING)
    view.render(state, LATE_MORNING)
    pages = view.page[1]
    assert pages >= 2 and view.page[0] == 1 and PAGE_PREVIOUS not in view.buttons()
    seen = [set(view.choice_ids())]
    for page in range(2, pages + 1):
        assert view.press(view.buttons()[PAGE_NEXT].center) is None
        view.render(state, LATE_MORNING)
        assert view.page == (page, pages)
        seen.append(set(view.choice_ids()))
    assert PAGE_NEXT not in view.buttons()
    assert sum(len(s) for s in seen) == len(Procedure)  # each procedure on exactly one page
    assert set().union(*seen) == {f"procedure:{p.value}" for p in Procedure}
    view.render(walk(Flow(config), "en", [ChooseProcedure(Procedure.RENEWAL)]), MORNING)
    assert view.page == (1, 1)  # another screen starts at its first page


def test_a_language_bar_too_wide_for_the_screen_becomes_a_chooser(config: SiteConfig) -> None:
    six = ("ja", "ja-easy", "en", "pt-BR", "vi", "zh-Hans")
    site = replace(config, site=replace(config.site, languages=six))
    view = KioskView(site, PI_7)
    state = walk(Flow(site), "en", [])
    view.render(state, MORNING)
    assert not any(i.startswith("lang:") for i in view.buttons())
    assert view.press(view.buttons()["languages"].center) is None
    view.render(state, MORNING)
    assert view.chooser_open
    assert {f"lang:{code}" for code in six} | {"close"} == set(view.buttons())  # nothing below answers
    assert view.press(view.buttons()["lang:vi"].center) == ChooseLanguage("vi")
    assert not view.chooser_open


def _scenario(config: SiteConfig, name: str, lang: str = "en") -> Scenario:
    return next(s for s in scenarios(config, lang) if s.name == name)


def _render_words(config: SiteConfig, name: str, lang: str = "en") -> str:
    scenario = _scenario(config, name, lang)
    view = KioskView(scenario.config, simulation=True)
    view.render(scenario.state, scenario.now)
    return _words(view).replace("\n", " ")


def _menu_words(config: SiteConfig, name: str) -> str:
    scenario = _scenario(config, name)
    view = KioskView(scenario.config, simulation=True)
    return " ".join(_all_pages_words(view, scenario.state, scenario.now).values())


def test_every_procedure_says_its_state_today_in_words(config: SiteConfig) -> None:
    morning = _menu_words(config, "procedure")
    assert morning.count("Open now") == len(Procedure)
    late = _menu_words(config, "procedure-late-morning")
    assert "Closed now" in late and "13:00–14:30" in late
    assert _menu_words(config, "procedure-full").count("Full for today") == 2


def test_r15_unconfirmed_hours_say_ask_at_the_counter_on_the_menu_too(config: SiteConfig) -> None:
    scenario = _scenario(config, "procedure", "ja")
    view = KioskView(scenario.config, simulation=True)
    view.render(scenario.state, scenario.now)
    assert "窓口でご確認ください" in _words(view)
    words = _all_pages_words(view, scenario.state, scenario.now)
    assert words["procedure:renewal"].endswith("※")  # example hours (rules.md: UNCONFIRMED)
    assert not words["procedure:myna_service"].endswith("※")  # counter 13's hours are OFFICIAL (R26)


def test_the_card_step_says_how_to_place_the_card_and_what_is_read(config: SiteConfig) -> None:
    waiting = _render_words(config, "card-waiting")
    assert "Place your My Number card flat on the card reader." in waiting
    assert "Leave it there until the check is finished." in waiting
    reading = _render_words(config, "card-reading")
    assert "What is being checked" in reading
    assert "Card expiry date" in reading and "User certificate" in reading


def test_the_ticket_screen_shows_number_counter_fee_and_what_to_bring(config: SiteConfig) -> None:
    words = _render_words(config, "ticket-printed")
    assert "R-012" in words and "Counter 1 (1F)" in words
    assert "Fees (estimate)" in words and "¥" in words
    assert "Have these ready at the counter" in words and "Renewal notice" in words
    assert "Do not forget your card" not in words  # no card on the reader in this visit


def test_the_ticket_screen_reminds_of_a_card_still_on_the_reader(config: SiteConfig) -> None:
    assert _scenario(config, "ticket-printed-card-on-reader").state.card_present
    assert "Do not forget your card: take it from the reader." in _render_words(config, "ticket-printed-card-on-reader")


@pytest.mark.parametrize("lang", ["ja", "en", "pt-BR", "vi", "zh-Hans"])
def test_the_longest_verdict_keeps_its_words_at_the_least_body_size_on_the_7_inch_panel(
    config: SiteConfig, lang: str
) -> None:
    """The Pi Touch Display 2 is the smallest panel we ship for: there the verdict of a card that
    answers almost nothing must still be readable at arm's length (the 5-inch panel is not: it
    pages such a verdict one check at a time and still shrinks it to 0.7 of body size)."""
    screen = PI_7
    silent = next(s for s in scenarios(config, lang) if s.name == "verdict-silent-card")
    words = [text(f"reason.{c.reason}", lang) for c in silent.state.visit.checks]
    view = KioskView(silent.config, screen, simulation=True)
    least = math.floor(BODY_MIN_MM * screen.px_per_mm)
    heights: list[int] = []
    for _ in range(10):
        view.render(silent.state, silent.now)
        heights += [m.rect.h for m in view.texts() if len(m.text) > 3 and any(m.text in w for w in words)]
        if PAGE_NEXT not in view.buttons():
            break
        view.press(view.buttons()[PAGE_NEXT].center)
    assert len(heights) >= 3  # the reasons were found on screen
    assert min(heights) >= least, f"reason text {min(heights)} px tall, under {BODY_MIN_MM} mm ({least} px)"


# --- the wait (kiosk/domain/waiting.py decides, these screens say it) ---------------------------------


def _button_words(view: KioskView, button_id: str) -> str:
    """What is written on one button of the last frame, lines joined, no-break spaces as spaces."""
    rect = view.buttons()[button_id]
    return " ".join(m.text for m in view.texts() if m.box == rect).replace("\xa0", " ")


def _all_pages_words(view: KioskView, state: State, now: datetime) -> dict[str, str]:
    """Every procedure button's words, turning the menu's pages."""
    view.render(state, now)
    found: dict[str, str] = {}
    for _ in range(16):
        found |= {b: _button_words(view, b) for b in view.choice_ids()}
        rects = view.buttons()
        if PAGE_NEXT not in rects:
            return found
        view.press(rects[PAGE_NEXT].center)
        view.render(state, now)
    raise AssertionError("pages without end")


def test_the_menu_tells_the_wait_of_each_open_procedures_line(config: SiteConfig) -> None:
    scenario = _scenario(config, "procedure-wait")
    view = KioskView(scenario.config, simulation=True)
    words = _all_pages_words(view, scenario.state, scenario.now)
    assert "12 waiting, about 25 min" in words["procedure:renewal"]
    assert "12 waiting, about 25 min" in words["procedure:renewal_via"]  # the same line, the same wait
    assert "3 waiting, about 30 min" in words["procedure:myna_service"]
    assert "No one waiting" in words["procedure:enquiry"]
    for told_nothing in ("holding_change", "re_record"):  # too few served today at that counter
        assert "waiting" not in words[f"procedure:{told_nothing}"].lower()
        assert "Open now" in words[f"procedure:{told_nothing}"]


def test_the_menu_says_nothing_of_the_wait_without_facts(config: SiteConfig) -> None:
    words = _render_words(config, "procedure")
    assert "waiting" not in words.lower() and "about" not in words


def test_never_a_wait_for_a_procedure_that_is_not_open(config: SiteConfig) -> None:
    from kiosk.demo.gallery import BUSY_LOBBY, LATE_MORNING
    from kiosk.domain.flow import LobbyRead
    from kiosk.domain.routing import Availability, availability
    from kiosk.domain.waiting import group_wait

    state = walk(Flow(config), "en", [LobbyRead(BUSY_LOBBY)], LATE_MORNING)
    words = _all_pages_words(KioskView(config, simulation=True), state, LATE_MORNING)
    states = {p: availability(config, p, LATE_MORNING, {}) for p in Procedure}
    known = {p: group_wait(config, BUSY_LOBBY, config.group_for(p).id, LATE_MORNING) is not None for p in Procedure}
    assert states[Procedure.RENEWAL] is not Availability.OPEN and known[Procedure.RENEWAL]  # 12 wait in its line
    assert any(today is Availability.OPEN and known[p] for p, today in states.items())
    for procedure, today in states.items():
        told = "waiting" in words[f"procedure:{procedure.value}"].lower()
        assert told == (today is Availability.OPEN and known[procedure]), procedure


@pytest.mark.parametrize("size", sorted(SCREENS))
@pytest.mark.parametrize("lang", ["ja", "en", "vi", "pt-BR"])
def test_the_wait_never_costs_the_menu_a_page(config: SiteConfig, size: str, lang: str) -> None:
    plain, told = _scenario(config, "procedure", lang), _scenario(config, "procedure-wait", lang)
    view = KioskView(config, SCREENS[size], simulation=True)
    view.render(plain.state, plain.now)
    pages = view.page[1]
    view.render(told.state, told.now)
    assert view.page[1] == pages


def test_the_wait_gives_way_where_it_would_shrink_the_procedures_names(config: SiteConfig) -> None:
    """On the 5-inch panel in Japanese the wait under each name must not make the names smaller nor
    cost a page: where it would, the menu is drawn without it."""
    from kiosk.demo.gallery import BUSY_LOBBY
    from kiosk.domain.flow import LobbyRead

    def name_heights(view: KioskView) -> list[int]:
        names = {text(f"procedure.{p.value}", "ja") for p in Procedure}
        return [m.rect.h for m in view.texts() if any(m.text and m.text in n for n in names)]

    view = KioskView(config, PI_5, simulation=True)
    view.render(walk(Flow(config), "ja", []), MORNING)
    plain, pages = name_heights(view), view.page[1]
    view.render(walk(Flow(config), "ja", [LobbyRead(BUSY_LOBBY)]), MORNING)
    assert name_heights(view) == plain
    assert view.page[1] == pages


@pytest.mark.parametrize("size", sorted(SCREENS))
def test_the_confirm_screen_tells_the_wait(config: SiteConfig, size: str) -> None:
    scenario = _scenario(config, "confirm-wait")
    view = KioskView(scenario.config, SCREENS[size], simulation=True)
    view.render(scenario.state, scenario.now)
    words = _words(view).replace("\n", " ").replace("\xa0", " ")
    # In full where there is room ("People waiting 12", "Your wait about 25 min"), else in one line.
    assert ("People waiting" in words and "Your wait" in words) or "12 waiting, about 25 min" in words
    assert "about 25 min" in words


def test_the_confirm_screen_says_nothing_of_the_wait_without_facts(config: SiteConfig) -> None:
    words = _render_words(config, "confirm-plastic")
    assert "waiting" not in words.lower() and "Your wait" not in words


def test_the_confirm_screen_says_when_nobody_waits(config: SiteConfig) -> None:
    from kiosk.demo.gallery import BUSY_LOBBY
    from kiosk.domain.flow import LobbyRead
    from kiosk.domain.waiting import GroupLoad

    quiet = replace(BUSY_LOBBY, groups={**BUSY_LOBBY.groups, "renewal": GroupLoad(0, 20, 4.0)})
    state = walk(Flow(config), "ja", [*RENEWAL_PLASTIC, LobbyRead(quiet)])
    assert state.screen is Screen.CONFIRM
    view = KioskView(config, simulation=True)
    view.render(state, MORNING)
    assert "待っている人はいません" in _words(view).replace("\n", "")


@pytest.mark.parametrize("size", ["1080x1920", "720x1280"])
def test_the_wait_on_the_confirm_screen_keeps_the_type_size_in_japanese(config: SiteConfig, size: str) -> None:
    """Said in the counter's panel in one line where a section of its own would shrink the page."""

    def fee_heights(name: str) -> list[int]:
        scenario = _scenario(config, name, "ja")
        view = KioskView(config, SCREENS[size], simulation=True)
        view.render(scenario.state, scenario.now)
        return [m.rect.h for m in view.texts() if m.text in ("手数料", "講習手数料", "運転免許証")]

    assert fee_heights("confirm-wait") == fee_heights("confirm-plastic")


# --- the verdict in plain words (issue 16) ------------------------------------------------------------


def _verdict_view(
    config: SiteConfig, answers_steps: list[Event], facts_profile: str, lang: str = "ja"
) -> tuple[KioskView, State]:
    from drivers.card.profiles import PROFILES
    from kiosk.domain.flow import CardInserted, CardRead

    flow = Flow(config)
    state = walk(flow, lang, answers_steps)
    state, _ = flow.transition(state, CardInserted(), MORNING)
    state, _ = flow.transition(state, CardRead(PROFILES[facts_profile].facts(MORNING.date())), MORNING)
    assert state.screen is Screen.VERDICT
    view = KioskView(config, PI_7, simulation=True)
    view.render(state, MORNING)
    return view, state


def _portal_visit() -> list[Event]:
    return [
        ChooseProcedure(Procedure.MYNA_SERVICE),
        AnswerQuestion(Question.SERVICE, "portal_link"),
        AnswerQuestion(Question.CURRENT, "myna_only"),
        AnswerQuestion(Question.MOVED, "no"),
    ]


def test_the_sign_locked_verdict_shows_the_block_alone_and_the_rest_behind_details(config: SiteConfig) -> None:
    view, state = _verdict_view(config, _portal_visit(), "sign-locked")
    words = _words(view)
    assert "署名用パスワードがロックされています" in words  # no 「今日はできません」 on the password
    assert "取り消せません" not in words  # R17's permanence: a step the visitor cannot take today
    assert "ほかは問題ありません" not in words  # a warning is hidden: "the rest is fine" would not be true
    assert "このあとのご案内を印刷しました" in words
    view.press(view.buttons()["details"].center)
    shown = ""
    for _ in range(8):  # every page of the full list
        view.render(state, MORNING)
        shown += _words(view)
        if PAGE_NEXT not in view.buttons():
            break
        view.press(view.buttons()[PAGE_NEXT].center)
    assert "取り消せません" in shown  # the full list holds every check, for staff


def test_a_verdict_with_one_problem_says_the_rest_is_fine_in_one_line(config: SiteConfig) -> None:
    steps: list[Event] = [
        ChooseProcedure(Procedure.HOLDING_CHANGE),
        AnswerQuestion(Question.CURRENT, "license_only"),
        AnswerQuestion(Question.WANTED, "both"),
        AnswerQuestion(Question.MOVED, "no"),
    ]
    view, _ = _verdict_view(config, steps, "free-area-unknown")
    words = _words(view)
    assert "ほかは問題ありません" in words
    assert "有効期限内です" not in words  # OK lines are not spelled out
    assert "OK" not in words


def test_r4_the_expired_card_verdict_offers_the_plastic_path_as_a_button(config: SiteConfig) -> None:
    from kiosk.domain.flow import TakePlasticPath

    steps: list[Event] = [
        ChooseProcedure(Procedure.RENEWAL),
        AnswerQuestion(Question.CURRENT, "both"),
        AnswerQuestion(Question.WANTED, "both"),
        AnswerQuestion(Question.LECTURE_CLASS, "general"),
        AnswerQuestion(Question.ONLINE_LECTURE, "no"),
        AnswerQuestion(Question.MOVED, "no"),
    ]
    view, _ = _verdict_view(config, steps, "card-expired")
    assert view.event_for("plastic_path") == TakePlasticPath()
    assert "マイナンバーカードの有効期限：" in _words(view).replace("\n", "")  # R7: the date it rests on


def test_r20_portal_data_is_no_licence_said_wherever_the_portal_is_mentioned(config: SiteConfig) -> None:
    note = text("note.R20.portal_not_id", "ja")
    flow = Flow(config)
    steps: list[Event] = [ChooseProcedure(Procedure.MYNA_SERVICE)]
    seen = 0
    for more in ([], [AnswerQuestion(Question.SERVICE, "portal_link")], [AnswerQuestion(Question.CURRENT, "both")]):
        steps += more
        view = KioskView(config, PI_7, simulation=True)
        view.render(walk(flow, "ja", steps), MORNING)
        words = _words(view).replace("\n", "")
        if "マイナポータル" in words.replace(note, ""):
            seen += 1
            assert note in words
    assert seen >= 1
    view, _ = _verdict_view(config, _portal_visit(), "user-pin-one-try")
    assert note in _words(view).replace("\n", "")


def test_a_check_line_is_a_sentence_of_its_own_in_every_language(config: SiteConfig) -> None:
    """The expired card's line says so in the visitor's words, not "{check}: {outcome}"."""
    blocked = _render_words(config, "verdict-blocked", "pt-BR")
    assert "O cartão está vencido" in blocked
    assert "Validade do cartão: Hoje não é possível" not in blocked
    assert text("ui.slip.printed", "pt-BR") in blocked  # blocked: the slip says what next (issue 16)


def test_a_reason_does_not_repeat_its_checks_sentence() -> None:
    from kiosk.ui.screens.verdict import _after

    locked = "The signature password is locked. Licence counters cannot unlock it."
    assert _after("The signature password is locked", locked) == "Licence counters cannot unlock it."
    full = "Não há espaço livre suficiente no cartão: os procedimentos não são possíveis."
    assert _after("Não há espaço livre suficiente no cartão", full) == "Os procedimentos não são possíveis."
    assert (
        _after("署名用パスワードがロックされています", "署名用パスワードがロックされています。解除できません。")
        == "解除できません。"
    )
    assert _after("The card is valid", "The card is validated elsewhere.") == "The card is validated elsewhere."
    assert _after("Thẻ còn hạn", "Thẻ còn hạn.") == ""
