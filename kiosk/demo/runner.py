"""Headless scenario runner: drives the real flow, shell and screens with scripted touches and a fake clock.

Touches go through the screen's own hit-testing (the centre of the button the view drew), so a
scenario exercises what a visitor's finger would. Writes, under the output folder:
  screens/NN-<screen>.png   every screen shown, in order
  ticket.png                the printed ticket, when one was printed
  result.json               scenario, ticket, refusal, checks (see `run_scenario`)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from drivers.card.settings import ReaderBackend
from drivers.display.sim import SimQueueDisplay
from kiosk.demo.card import DemoCard
from kiosk.demo.printer import DemoPrinter
from kiosk.demo.scenarios import SERVICE_MIN, Scenario
from kiosk.domain.flow import Flow, Screen, State
from kiosk.domain.model import Answers, Procedure
from kiosk.domain.routing import Refusal, route_for
from kiosk.errors import UsageError
from kiosk.messages import text
from kiosk.queue.lifecycle import CallingStore
from kiosk.queue.stores import open_calling, open_kiosk_tickets
from kiosk.shell.runtime import Devices, Runtime
from kiosk.site.model import ScreenConfig, SiteConfig


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def with_caps(config: SiteConfig, caps: dict[Procedure, int]) -> SiteConfig:
    """The config with some daily caps changed: a scenario's own site settings."""
    if not caps:
        return config
    procedures = dict(config.procedures)
    for procedure, cap in caps.items():
        procedures[procedure] = replace(procedures[procedure], daily_cap=cap)
    return replace(config, procedures=procedures)


def screen_name(state: State) -> str:
    visit = state.visit
    name = visit.screen.value
    if visit.screen is Screen.QUESTION and visit.question is not None:
        name += f"-{visit.question.value}"
    elif visit.screen is Screen.CARD:
        name += f"-{visit.card_stage.value}"
    elif visit.screen is Screen.TICKET and visit.ticket_stage is not None:
        name += f"-{visit.ticket_stage.value}"
    return name


def run_scenario(
    config: SiteConfig,
    scenario: Scenario,
    out_dir: Path,
    *,
    screen: ScreenConfig | tuple[int, int] | None = None,
    lang: str | None = None,
    data_dir: Path | None = None,
    card: str | None = None,
    printer_url: str | None = None,
    reader: ReaderBackend = ReaderBackend.SIM,
) -> dict[str, Any]:
    """Run one scenario headless and write its screens, ticket and result.json. Returns the result.

    `lang` replays the visit in another language; `card` puts that card profile on the reader
    wherever the scenario places one; `reader` pcsc reads it through pcscd and the card emulator."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kiosk.ui.png import save_png  # pygame is loaded only when screens are drawn
    from kiosk.ui.view import KioskView

    lang = lang or scenario.lang
    if lang not in config.site.languages:
        raise UsageError(f"language {lang!r} is not offered by this site: {', '.join(config.site.languages)}")
    config = with_caps(config, scenario.daily_caps)
    out_dir.mkdir(parents=True, exist_ok=True)
    screens_dir = out_dir / "screens"
    shutil.rmtree(screens_dir, ignore_errors=True)
    screens_dir.mkdir()
    (out_dir / "ticket.png").unlink(missing_ok=True)
    (out_dir / "slip.png").unlink(missing_ok=True)

    clock = FakeClock(scenario.at)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as scratch:
        demo_card = DemoCard(reader, config, today=lambda: clock.now.date())
        # The real ESC/POS driver through the emulator (or --printer): the ticket is what came back.
        printer = DemoPrinter(config, Path(scratch) / "printed", Path(scratch), printer_url)
        # The SQLite file (or, with [storage] url / --store, the outbox) in the scratch folder or data_dir.
        local = replace(config, storage=replace(config.storage, data_dir=data_dir or Path(scratch)))
        store = open_kiosk_tickets(local, clock)
        calling = open_calling(local)
        try:
            runtime = Runtime(
                config=config,
                devices=Devices(
                    reader=demo_card.reader, printer=printer.driver, display=SimQueueDisplay(), simulated=True
                ),
                store=store,
                clock=clock,
                calling=calling,
            )
            _issue_before(runtime, scenario)
            _serve_before(runtime, calling, scenario)
            view = KioskView(config, screen, simulation=True)
            shots: list[str] = []
            refusals: list[Refusal] = []
            checks: list[dict[str, Any]] = []
            forward: list[str] = []  # ways forward the screens offered (R4: "plastic_path")

            def snapshot() -> None:
                name = f"{len(shots) + 1:02d}-{screen_name(runtime.state)}"
                surface = view.render(runtime.state, clock.now)
                save_png(surface, screens_dir / f"{name}.png")
                shots.append(name)
                visit = runtime.state.visit
                if visit.refusal is not None and visit.refusal not in refusals:
                    refusals.append(visit.refusal)
                if visit.checks and visit.screen is Screen.VERDICT:
                    checks[:] = [_check_json(c.check, c.outcome.value, c.reason, c.remedy) for c in visit.checks]
                    if Flow.offers_plastic_path(visit) and "plastic_path" not in forward:
                        forward.append("plastic_path")

            snapshot()
            seen = runtime.version
            for step in scenario.steps:
                step = _override(step, lang, card)
                _step(runtime, view, demo_card, clock, step)
                if runtime.version != seen or step.startswith("wait:"):
                    seen = runtime.version
                    snapshot()
            # Tickets and refusal slips come out of one printer, in the order the runtime noted.
            for kind, path in zip(runtime.printed_kinds, printer.printed, strict=False):
                shutil.copyfile(path, out_dir / f"{kind}.png")
        finally:
            store.close()
            calling.close()
            printer.close()
            card_commands = [f"{r.application}/{r.ef or '-'}: {r.apdu.hex().upper()}" for r in demo_card.received]
            demo_card.close()

    issued = runtime.issued[-1] if runtime.issued else None
    result: dict[str, Any] = {
        "scenario": scenario.name,
        "card": card,
        "description": scenario.description,
        "lang": lang,
        "at": scenario.at.isoformat(),
        "ticket": None,
        "refusal": refusals[0].reason if refusals else None,
        "refusal_remedy": _remedy_json(refusals[0].remedy) if refusals else None,
        "path_forward": _path_forward(refusals, forward, runtime, lang),
        "slip": "slip.png" if (out_dir / "slip.png").exists() else None,
        "checks": checks,
        "screens": shots,
        "final_screen": runtime.state.screen.value,
        "staff_calls": runtime.staff_calls,
        "reader": reader.value,
    }
    if reader is ReaderBackend.PCSC:
        # What the emulated card received, with what was selected then: the allowlist's evidence.
        result["card_commands"] = card_commands
    if issued is not None:
        result["ticket"] = {
            "number": issued.ticket.label,
            "counter": config.counters[issued.ticket.counter].number,
            "procedure": issued.ticket.procedure.value,
            "printed": issued.printed,
            "reasons": list(issued.ticket.reasons),
            "ahead": issued.ahead,
        }
    (out_dir / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return result


def _issue_before(runtime: Runtime, scenario: Scenario) -> None:
    """Tickets other visitors took earlier today (for daily caps), stored through the real store."""
    config = runtime.config
    for procedure, count in scenario.issued_before.items():
        answers = Answers(procedure=procedure)
        route = route_for(config, answers, ())
        for _ in range(count):
            runtime.store.issue(runtime.ticket_request(route, answers))


def _serve_before(runtime: Runtime, calling: CallingStore, scenario: Scenario) -> None:
    """The morning before the visit, through the real stores: tickets issued, then called, started and
    done one after another at the procedure's counter, then tickets left waiting."""
    config = runtime.config
    for procedure, served in scenario.served_before.items():
        answers = Answers(procedure=procedure)
        route = route_for(config, answers, ())
        at = scenario.at - timedelta(minutes=(SERVICE_MIN + 1) * served + 1)
        for _ in range(served):
            runtime.store.issue(replace(runtime.ticket_request(route, answers), issued_at=at))
            calling.call_next(route.counter.id, at + timedelta(seconds=20))
            calling.start(route.counter.id, at + timedelta(seconds=40))
            calling.done(route.counter.id, at + timedelta(minutes=SERVICE_MIN, seconds=40))
            at += timedelta(minutes=SERVICE_MIN + 1)
    for procedure, waiting in scenario.waiting_before.items():
        answers = Answers(procedure=procedure)
        route = route_for(config, answers, ())
        for _ in range(waiting):
            runtime.store.issue(runtime.ticket_request(route, answers))


def _override(step: str, lang: str, card: str | None) -> str:
    if step.startswith("tap:lang:"):
        return f"tap:lang:{lang}"
    if card is not None and step.startswith("card:") and step not in ("card:remove", "card:pull-next"):
        return f"card:{card}"
    return step


def _path_forward(refusals: list[Refusal], offered: list[str], runtime: Runtime, lang: str) -> dict[str, Any] | None:
    """What the visitor was told to do instead (the slip's words, in English for reviewers), and the
    way forward the verdict offered and whether it led to a ticket."""
    if not refusals and not offered:
        return None
    from kiosk.ticket.slip import what_to_ask

    refusal = refusals[0] if refusals else None
    return {
        "ask": what_to_ask(refusal, "en") if refusal is not None else None,
        "offered": offered,
        "taken_to_ticket": bool(offered) and bool(runtime.issued),
        "ticket_reasons": list(runtime.issued[-1].ticket.reasons) if runtime.issued else [],
    }


def _remedy_json(remedy: str | None) -> dict[str, str] | None:
    if remedy is None:
        return None
    return {"code": remedy, "text": text(f"remedy.{remedy}", "en")}


def _check_json(check: str, outcome: str, reason: str, remedy: str | None) -> dict[str, Any]:
    return {
        "id": check,
        "outcome": outcome,
        "reason": reason,
        "explanation": text(f"reason.{reason}", "en"),
        "remedy": remedy,
        "remedy_text": text(f"remedy.{remedy}", "en") if remedy else None,
    }


def _turn_to(view: Any, runtime: Runtime, clock: FakeClock, button_id: str) -> Any:
    """The buttons of the page that shows `button_id`, turning pages as a visitor would (on a
    small screen the choices take several pages)."""
    from kiosk.ui.buttons import PAGE_NEXT, PAGE_PREVIOUS

    rects = view.buttons()
    while button_id not in rects and PAGE_PREVIOUS in rects:
        view.press(rects[PAGE_PREVIOUS].center)
        view.render(runtime.state, clock.now)
        rects = view.buttons()
    while button_id not in rects and PAGE_NEXT in rects:
        view.press(rects[PAGE_NEXT].center)
        view.render(runtime.state, clock.now)
        rects = view.buttons()
    return rects


def _step(runtime: Runtime, view: Any, reader: DemoCard, clock: FakeClock, step: str) -> None:
    kind, _, arg = step.partition(":")
    clock.advance(2)  # a visitor takes a moment between touches
    if kind == "tap":
        rects = _turn_to(view, runtime, clock, arg)
        if arg not in rects:
            shown = ", ".join(sorted(rects))
            raise UsageError(f"step {step!r}: no such button on the {screen_name(runtime.state)} screen ({shown})")
        event = view.press(rects[arg].center)
        if event is None:
            raise UsageError(f"step {step!r}: the button's centre does not answer a touch")
        runtime.dispatch(event)
    elif kind == "card":
        if arg == "remove":
            reader.remove()
        elif arg == "pull-next":
            reader.pull_during_next_read()
        else:
            reader.place(arg)
        reader.settle()  # the reader has seen it (pcscd polls presence every 400 ms)
        runtime.poll()
        runtime.settle()  # the read runs on a worker thread: wait for its answer
        reader.settle()
        runtime.poll()  # a second poll sees a card that left during the read
    elif kind == "wait":
        seconds = float(arg)
        while seconds > 0:
            chunk = min(seconds, 1.0)
            clock.advance(chunk)
            seconds -= chunk
            runtime.poll()
    else:
        raise UsageError(f"unknown scenario step {step!r}")
    runtime.settle()  # a tap may start a read of a card already on the reader
    # A redraw after the step, so view.buttons() matches what is on screen for the next tap.
    view.render(runtime.state, clock.now)
