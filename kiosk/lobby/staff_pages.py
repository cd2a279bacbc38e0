"""The staff page's routes (Starlette): parse, check the login, call the staff service, render.

GET  /staff                  the page (staff login; any staff account)
GET  /staff/api              its document as JSON
GET  /staff/events           Server-Sent Events: the document on every change, pings every 15 s
POST /staff/action/<action>  ack, out_of_service, in_service, test_print, reprint, new_roll,
                             close_procedure, reopen_procedure, set_cap (form fields: kiosk,
                             procedure, cap, label, alert); CSRF token and same origin, as the consoles
GET  /staff/stats.csv        the day's statistics (?date=YYYY-MM-DD), GET /staff/chart.svg its chart

Every refusal is a status and a sentence: 401 without a login, 403 for a cross-site request or a
wrong CSRF token, 400 for an action that makes no sense, 503 when the store fails.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from kiosk.errors import StoreError
from kiosk.health.stats import day_stats, hourly_chart_svg, stats_csv
from kiosk.lobby.pages import render, script_json
from kiosk.lobby.sse import PING, PING_S, RETRY_MS
from kiosk.lobby.staff_service import StaffActionError, StaffService
from kiosk.queue.health import TicketTimes

if TYPE_CHECKING:
    from kiosk.lobby.app import Lobby

log = logging.getLogger(__name__)

CSRF_HEADER = "x-csrf-token"


class StaffPages:
    def __init__(self, lobby: Lobby, staff: StaffService) -> None:
        self.lobby = lobby
        self.staff = staff

    def routes(self) -> list[Route]:
        return [
            Route("/staff", self.page, methods=["GET"]),
            Route("/staff/api", self.api, methods=["GET"]),
            Route("/staff/events", self.events, methods=["GET"]),
            Route("/staff/action/{action}", self.action, methods=["POST"]),
            Route("/staff/stats.csv", self.stats_csv, methods=["GET"]),
            Route("/staff/chart.svg", self.chart, methods=["GET"]),
        ]

    def _who(self, request: Request) -> tuple[str, str] | None:
        """(account name, CSRF token) of the logged-in staff member, else None."""
        account, session = self.lobby._account(request)
        if account is None or session is None:
            return None
        return account.name, self.lobby.sessions.csrf_token(session)

    async def page(self, request: Request) -> Response:
        who = self._who(request)
        if who is None:
            return RedirectResponse(f"/login?next={quote('/staff')}", status_code=303)
        page = render(
            "staff.html",
            staff=who[0],
            csrf=who[1],
            site=self.lobby.config.site.name.get("ja"),
            raw={"view": script_json(self.staff.published.view)},
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def api(self, request: Request) -> Response:
        if self._who(request) is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        return JSONResponse(self.staff.published.view, headers={"Cache-Control": "no-store"})

    async def events(self, request: Request) -> Response:
        if self._who(request) is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        return StreamingResponse(
            self._stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def _stream(self) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        shutdown = asyncio.ensure_future(self.lobby.service.shutdown.wait())
        changed = self.staff.changed()
        yield f"retry: {RETRY_MS}\n\n" + _message(self.staff.published.view)
        last_byte = loop.time()
        try:
            while not self.lobby.service.shutdown.is_set():
                waiter = asyncio.ensure_future(changed.wait())
                try:
                    timeout = max(0.0, last_byte + PING_S - loop.time())
                    await asyncio.wait({waiter, shutdown}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    waiter.cancel()
                if self.lobby.service.shutdown.is_set():
                    return
                last_byte = loop.time()
                if changed.is_set():
                    changed = self.staff.changed()
                    yield _message(self.staff.published.view)
                else:
                    yield PING
        finally:
            shutdown.cancel()

    async def action(self, request: Request) -> Response:
        from kiosk.lobby.app import _same_origin

        if not _same_origin(request):
            return JSONResponse({"error": "cross-site request refused"}, status_code=403)
        account, session = self.lobby._account(request)
        if account is None or session is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        if not self.lobby.sessions.csrf_ok(session, request.headers.get(CSRF_HEADER)):
            return JSONResponse({"error": "missing or wrong CSRF token"}, status_code=403)
        body = (await request.body()).decode("utf-8", "replace")
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        try:
            view = await self.staff.act(account.name, request.path_params["action"], form)
        except StaffActionError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except StoreError as exc:
            log.error("staff action %s: %s", request.path_params["action"], exc)
            return JSONResponse({"error": f"the store failed: {exc}"}, status_code=503)
        return JSONResponse({"ok": True, "view": view})

    async def _day_tickets(self, request: Request) -> tuple[date, list[TicketTimes]] | Response:
        if self._who(request) is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        try:
            day = parse_day(request.query_params.get("date"), self.staff.today())
        except ValueError:
            return JSONResponse({"error": "date: expected YYYY-MM-DD"}, status_code=400)
        return day, await self.staff.run(lambda store: store.ticket_times(day))

    async def stats_csv(self, request: Request) -> Response:
        got = await self._day_tickets(request)
        if isinstance(got, Response):
            return got
        day, tickets = got
        return Response(
            stats_csv(day.isoformat(), day_stats(tickets)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="kiosk-stats-{day.isoformat()}.csv"'},
        )

    async def chart(self, request: Request) -> Response:
        got = await self._day_tickets(request)
        if isinstance(got, Response):
            return got
        day, tickets = got
        svg = hourly_chart_svg(tickets, title=f"{day.isoformat()} 時間帯別 発券・呼出 arrivals and calls per hour")
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


def _message(view: dict[str, object]) -> str:
    return "event: staff\ndata: " + json.dumps(view, ensure_ascii=False, separators=(",", ":")) + "\n\n"


def parse_day(value: str | None, default: date) -> date:
    if not value:
        return default
    return date.fromisoformat(value)
