"""The lobby service's place in the layers: the web stack stays inside kiosk/lobby, the lobby stays a
shell (nothing below imports it), and its pages ship as package data."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

from tests.architecture.test_layering import REPO, imports_of

WEB = {"starlette", "uvicorn", "playwright"}


def _python_files() -> list[Path]:
    return sorted(p for top in ("kiosk", "drivers") for p in (REPO / top).rglob("*.py"))


def test_only_the_lobby_package_imports_the_web_stack():
    # The benches and the lobby-morning and staff-morning demos drive Chromium through Playwright.
    allowed = (
        "kiosk/lobby/",
        "kiosk/bench/lobby.py",
        "kiosk/bench/voice.py",
        "kiosk/demo/lobby.py",
        "kiosk/bench/health.py",
        "kiosk/demo/staff.py",
    )
    offenders = [
        str(path.relative_to(REPO))
        for path in _python_files()
        if {i.split(".", 1)[0] for i in imports_of(path)} & WEB and not str(path.relative_to(REPO)).startswith(allowed)
    ]
    assert offenders == []


def test_playwright_stays_out_of_the_service():
    lobby = sorted((REPO / "kiosk/lobby").rglob("*.py"))
    assert lobby
    assert not [p for p in lobby if any(i.startswith("playwright") for i in imports_of(p))]


def test_nothing_but_shells_imports_the_lobby():
    shells = ("kiosk/lobby/", "kiosk/commands/", "kiosk/bench/", "kiosk/cli.py", "kiosk/demo/")
    offenders = [
        str(path.relative_to(REPO))
        for path in _python_files()
        if any(i.startswith("kiosk.lobby") for i in imports_of(path))
        and not str(path.relative_to(REPO)).startswith(shells)
    ]
    assert offenders == []


def test_lobby_pages_and_scripts_are_package_data():
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["kiosk"]
    files = [p for sub in ("templates", "static") for p in (REPO / "kiosk/lobby" / sub).iterdir() if p.is_file()]
    assert {p.suffix for p in files} >= {".html", ".js", ".css"}
    missing = [
        str(p.relative_to(REPO))
        for p in files
        if not any(fnmatch(str(p.relative_to(REPO / "kiosk")), pattern) for pattern in patterns)
    ]
    assert missing == []
