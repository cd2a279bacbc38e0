"""The lobby service's routes (Starlette): parse, call the service, render. No rule lives here.

GET  /screen                      the lobby screen for TVs (no login)
GET  /api/state                   the whole lobby as one JSON document (no login)
GET  /events                      Server-Sent Events: the state on every change (no login)
GET  /counter/<id>                the console of one counter (staff)
POST /counter/<id>/<action>       call-next, recall, start, done, no-show, transfer, cancel, close, open
GET  /login, POST /login, POST /logout
GET  /health                      "ok" and the event id, for a watchdog
GET  /staff …                     the staff page: kiosk health, alerts, actions (kiosk/lobby/staff_pages.py)
GET  /metrics                     Prometheus (kiosk/lobby/metrics.py)
GET  /voice/<event id>.wav        a call's announcement for the lobby screen (kiosk/lobby/voice.py)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kiosk.errors import StoreError
from kiosk.lobby import sse
from kiosk.lobby.auth import Account, LoginThrottle, Session, Sessions, StaffFile, load_secret
from kiosk.lobby.pages import STATIC_DIR, render, script_json
from kiosk.lobby.service import CounterAction, LobbyService
from kiosk.lobby.staff_service import StaffService
from kiosk.lobby.state import screen_words, state_json
from kiosk.lobby.voice import LobbyVoice
from kiosk.queue.lifecycle import CallOutcome, CallRefused
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)

COOKIE = "kiosk_session"
CSRF_HEADER = "x-csrf-token"
FAILED_LOGIN_PAUSE_S = 0.5  # every wrong password answers this much later (on top of the throttle)


class Lobby:
    """The route handlers, holding what they share."""

    def __init__(self, service: LobbyService, config: SiteConfig, data_dir: Path, voice: LobbyVoice) -> None:
        self.service = service
        self.voice = voice
        self.config = config
        self.staff = StaffFile(data_dir)
        self.sessions = Sessions(load_secret(data_dir))
        self.throttle = LoginThrottle()
        self.words = screen_words(config)
        self.groups = sorted(config.groups)

    # --- no login ----------------------------------------------------------------------------

    async def screen(self, request: Request) -> Response:
        words = {
            **self.words,
            "now_ms": int(self.service.clock().timestamp() * 1000),
            "voice": self.voice.page_settings(),
        }
        page = render(
            "screen.html",
            raw={"words": script_json(words), "state": script_json(state_json(self.service.published.state))},
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def api_state(self, request: Request) -> Response:
        return JSONResponse(state_json(self.service.published.state), headers={"Cache-Control": "no-store"})

    async def events(self, request: Request) -> Response:
        return StreamingResponse(
            sse.stream(self.service),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def health(self, request: Request) -> Response:
        return PlainTextResponse(f"ok {self.service.published.event_id}\n")

    # --- staff ----------------------------------------------------------------------------

    async def login_page(self, request: Request) -> Response:
        return self._login(request.query_params.get("next", ""), "", 200)

    async def login(self, request: Request) -> Response:
        if not _same_origin(request):
            return _forbidden("cross-site request refused")
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        name, password, target = form.get("name", ""), form.get("password", ""), form.get("next", "")
        keys = (f"name:{name}", f"ip:{request.client.host if request.client else '?'}")
        if self.throttle.locked(keys):
            return self._login(
                target, "ログインを続けて間違えたため、15分間ロックしています。 Locked for 15 minutes.", 429
            )
        wait = self.throttle.wait_s(keys)
        if wait > 0:
            return self._login(target, f"あと{wait:.0f}秒待ってから。 Too many tries: wait {wait:.0f} s.", 429)
        account = await asyncio.get_running_loop().run_in_executor(None, self.staff.check, name, password)
        if account is None:
            self.throttle.failed(keys)
            log.warning("failed login for %r from %s", name, keys[1])
            await asyncio.sleep(FAILED_LOGIN_PAUSE_S)
            return self._login(target, "名前かパスワードが違います。 Wrong name or password.", 401)
        self.throttle.succeeded(keys)
        log.info("staff %s logged in", account.name)
        response = RedirectResponse(_safe_next(target, account, self.config), status_code=303)
        response.set_cookie(COOKIE, self.sessions.issue(account.name), httponly=True, samesite="strict", path="/")
        return response

    async def logout(self, request: Request) -> Response:
        if not _same_origin(request):
            return _forbidden("cross-site request refused")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    async def console(self, request: Request) -> Response:
        counter_id = request.path_params["counter"]
        counter = self.config.counters.get(counter_id)
        if counter is None:
            return PlainTextResponse(f"no counter {counter_id}\n", status_code=404)
        account, session = self._account(request)
        if account is None or session is None:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        if not account.may_use(counter_id):
            return _forbidden(
                f"アカウント {account.name} は {counter.number}番窓口 を使えません。"
                f" Account {account.name} may not use counter {counter.number} ({counter_id})."
            )
        page = render(
            "counter.html",
            counter_id=counter_id,
            counter_number=counter.number,
            counter_name=counter.name.get("ja"),
            staff=account.name,
            csrf=self.sessions.csrf_token(session),
            raw={
                "words": script_json(self.words),
                "state": script_json(state_json(self.service.published.state)),
            },
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def counter_action(self, request: Request) -> Response:
        counter_id, name = request.path_params["counter"], request.path_params["action"]
        if counter_id not in self.config.counters:
            return JSONResponse({"error": f"no counter {counter_id}"}, status_code=404)
        try:
            action = CounterAction(name)
        except ValueError:
            return JSONResponse({"error": f"no action {name}"}, status_code=404)
        if not _same_origin(request):
            return JSONResponse({"error": "cross-site request refused"}, status_code=403)
        account, session = self._account(request)
        if account is None or session is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        if not self.sessions.csrf_ok(session, request.headers.get(CSRF_HEADER)):
            return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
        if not account.may_use(counter_id):
            return JSONResponse({"error": f"account {account.name} may not use counter {counter_id}"}, status_code=403)
        to_group = request.query_params.get("to", "")
        if action is CounterAction.TRANSFER and to_group not in self.config.groups:
            return JSONResponse({"error": f"transfer to which group? one of {', '.join(self.groups)}"}, status_code=400)
        try:
            result = await self.service.act(counter_id, action, to_group)
        except CallRefused as exc:
            return JSONResponse({"error": str(exc), "state": state_json(self.service.published.state)}, status_code=409)
        except StoreError as exc:
            log.error("counter %s %s: %s", counter_id, action.value, exc)
            return JSONResponse({"error": f"the ticket store failed: {exc}"}, status_code=503)
        log.info("counter %s %s by %s", counter_id, action.value, account.name)
        return JSONResponse({"outcome": _outcome_json(result), "state": state_json(self.service.published.state)})

    # --- helpers ---------------------------------------------------------------------------

    def _account(self, request: Request) -> tuple[Account | None, Session | None]:
        session = self.sessions.read(request.cookies.get(COOKIE))
        if session is None:
            return None, None
        return self.staff.account(session.name), session

    def _login(self, target: str, error: str, status: int) -> Response:
        page = render("login.html", next=target, error=error, site=self.config.site.name.get("ja"))
        return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _outcome_json(result: CallOutcome | bool | None) -> object:
    if result is None or isinstance(result, bool):
        return result
    return {
        "label": result.label,
        "group": result.group,
        "counter": result.counter,
        "state": result.state.value,
        "recalls": result.recalls,
        "no_paper": result.no_paper,
        "event_id": result.event_id,
        "repeated": result.repeated,
    }


def _same_origin(request: Request) -> bool:
    """The request comes from a page of ours: Origin (every POST from a modern browser has it), else
    Referer. Neither: refused (a console is always a browser page)."""
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == own
    referer = request.headers.get("referer")
    return referer is not None and (referer == own or referer.startswith(own + "/"))


def _safe_next(target: str, account: Account, config: SiteConfig) -> str:
    """Only to a console or the staff page of ours (never an open redirect); else the first counter it may use."""
    if target == "/staff":
        return target
    if target.startswith("/counter/") and target.removeprefix("/counter/") in config.counters:
        return target
    first = next((c for c in config.counters if account.may_use(c)), None)
    return f"/counter/{first}" if first else "/screen"


def _forbidden(message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=403)


def build_app(
    service: LobbyService,
    config: SiteConfig,
    data_dir: Path,
    voice: LobbyVoice | None = None,
    staff: StaffService | None = None,
) -> Starlette:
    """`voice`: the lobby's announcements (kiosk/lobby/voice.py); None: silent, as with `[voice] output = "off"`.
    `staff`: the staff page and /metrics (kiosk/lobby/staff_service.py); None: neither."""
    from kiosk.lobby.metrics import metrics_route
    from kiosk.lobby.staff_pages import StaffPages

    voice = voice or LobbyVoice(config, service, None)
    lobby = Lobby(service, config, data_dir, voice)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.start()
        await voice.start()
        try:
            if staff is not None:
                await staff.start()
            try:
                yield
            finally:
                if staff is not None:
                    await staff.stop()
        finally:
            await voice.stop()
            await service.stop()

    routes = [
        Route("/", lambda request: RedirectResponse("/screen", status_code=307)),
        Route("/screen", lobby.screen),
        Route("/api/state", lobby.api_state),
        Route("/events", lobby.events),
        Route("/health", lobby.health),
        Route("/login", lobby.login_page, methods=["GET"]),
        Route("/login", lobby.login, methods=["POST"]),
        Route("/logout", lobby.logout, methods=["POST"]),
        Route("/counter/{counter}", lobby.console, methods=["GET"]),
        Route("/counter/{counter}/{action}", lobby.counter_action, methods=["POST"]),
        *voice.routes(),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    if staff is not None:
        routes += [*StaffPages(lobby, staff).routes(), metrics_route(service, staff)]
    return Starlette(routes=routes, lifespan=lifespan)
