"""The layers of STYLE.md as a test: imports point down only.

Parses every module's imports with `ast` (nothing is imported to find out), so a device library
or pygame sneaking into the pure core fails here even when no test happens to load that path.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Third-party libraries that touch a device, a screen or the network.
DEVICE_LIBRARIES = {"pygame", "smartcard", "escpos", "serial", "gpiozero", "lgpio", "usb", "segno", "PIL"}
# Modules of our own that do I/O (files, databases, devices, the UI).
SHELL_MODULES = (
    "kiosk.ui",
    "kiosk.shell",
    "kiosk.demo",
    "kiosk.queue.sqlite_store",
    "kiosk.queue.sqlite_calling",
    "kiosk.queue.sqlite_notify",
    "kiosk.queue.pg_",  # the PostgreSQL store, its notifier, admin and scratch server
    "kiosk.queue.offline",
    "kiosk.queue.outbox",
    "kiosk.queue.stores",
    "kiosk.bench",
    "kiosk.cli",
    "kiosk.commands",
    "kiosk.voice.announcer",
    "kiosk.voice.worker",
    "kiosk.voice.cache",
)
IO_STDLIB = {"sqlite3", "psycopg", "socket", "subprocess", "threading", "os", "shutil", "tempfile", "time"}

# The pure core: domain rules, the flow, the words, the config's shape, the ticket's content, line
# breaking, and each driver's codec, settings and values. A pure module imports only pure modules of ours.
PURE = (
    "kiosk/domain",
    "kiosk/site/model.py",
    "kiosk/queue/model.py",
    "kiosk/queue/lifecycle.py",
    "kiosk/queue/notify.py",
    "kiosk/queue/counter_calls.py",
    "kiosk/queue/health.py",
    "kiosk/health/model.py",
    "kiosk/health/judge.py",
    "kiosk/health/alerts.py",
    "kiosk/health/today.py",
    "kiosk/ticket/document.py",
    "kiosk/ticket/layout.py",
    "kiosk/messages.py",
    "kiosk/linebreak.py",
    "kiosk/numbers.py",
    "drivers/interfaces.py",
    "drivers/printer/bands.py",
    "drivers/printer/escpos_codec.py",
    "drivers/printer/status.py",
    "drivers/printer/settings.py",
    "drivers/card/apdu.py",
    "drivers/card/settings.py",
    "drivers/board/frames.py",
    "drivers/board/settings.py",
    "drivers/gpio/settings.py",
    "drivers/gpio/tm1637_codec.py",
    "kiosk/voice/reading.py",
    "kiosk/voice/announcement.py",
    "drivers/voice/pcm.py",
)

# What a driver may use of the kiosk: its error tree and the domain's values, nothing else (no
# rendering, no config loading, no shell), so a driver can be read, tested and reused on its own.
KIOSK_FOR_DRIVERS = ("kiosk.errors", "kiosk.domain.model")

# Modules of our own that read files; the pure core may not import them, with one exception:
# the words are package data (kiosk/locale/*.po) that ship with the code, and `text(key, lang)`
# is called from pure code (the ticket layout), so kiosk.messages reaches the one reader of the
# catalogs, kiosk.catalogs, which reads them once on the first lookup.
# pygame draws the screens: kiosk/ui, and three modules above it that put what kiosk/ui drew on a
# display of their own (the demo window with its device panel, the contact sheet, the bench probe
# that posts SDL events and times frames). Each says so at its top; nothing else may import it.
PYGAME_MODULES = ("kiosk.ui", "kiosk.demo.window", "kiosk.demo.contact", "kiosk.bench.probe")

# The screens are drawn from the flow's state and hand touches back through protocols they declare
# (kiosk/ui/loop.py, kiosk/ui/app.py): they never reach up into what wires or drives them.
ABOVE_THE_UI = ("kiosk.shell", "kiosk.demo", "kiosk.bench", "kiosk.commands", "kiosk.cli")
# The shell wires devices, store and runtime for every shell over the core (`kiosk run` now,
# `kiosk lobby` later), so it knows nothing of screens, demos or benchmarks.
ABOVE_THE_SHELL = ("kiosk.ui", "kiosk.demo", "kiosk.bench", "kiosk.commands", "kiosk.cli")

FILE_READERS = ("kiosk.cachedir", "kiosk.catalogs", "kiosk.fonts", "kiosk.sfnt", "kiosk.site.load")
PERMITTED_READERS = {"kiosk/messages.py": {"kiosk.catalogs"}}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def pure_files() -> list[Path]:
    files: list[Path] = []
    for entry in PURE:
        path = REPO / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if f.exists()]


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def pure_modules() -> set[str]:
    return {module_name(f) for f in pure_files()}


def kiosk_imports_a_driver_may_not_make(path: Path) -> set[str]:
    return {i for i in imports_of(path) if _top(i) == "kiosk" and i not in KIOSK_FOR_DRIVERS}


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_pure_core_imports_no_device_library_pygame_or_shell(path):
    imports = imports_of(path)
    assert not {i for i in imports if _top(i) in DEVICE_LIBRARIES}, f"{path}: imports a device library"
    assert not {i for i in imports if i.startswith(SHELL_MODULES)}, f"{path}: imports the shell"
    drivers = {i for i in imports if _top(i) == "drivers"} - pure_modules()
    assert not drivers, f"{path}: imports a driver module that is not pure: {drivers}"
    assert not {i for i in imports if _top(i) in IO_STDLIB}, f"{path}: does I/O"
    permitted = PERMITTED_READERS.get(str(path.relative_to(REPO)), set())
    readers = {i for i in imports if i.startswith(FILE_READERS)} - permitted
    assert not readers, f"{path}: imports a module that reads files: {readers}"


def _is_in(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def test_only_the_ui_and_its_named_neighbours_import_pygame():
    offenders = []
    for path in sorted((REPO / "kiosk").rglob("*.py")) + sorted((REPO / "drivers").rglob("*.py")):
        if any(_top(i) == "pygame" for i in imports_of(path)) and not _is_in(module_name(path), PYGAME_MODULES):
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_each_module_allowed_pygame_does_import_it():
    # Keeps the test above honest: an entry left behind after a move would widen the rule silently.
    for name in PYGAME_MODULES:
        path = REPO / (name.replace(".", "/") + ".py")
        files = sorted(path.with_suffix("").rglob("*.py")) if not path.exists() else [path]
        assert any(_top(i) == "pygame" for f in files for i in imports_of(f)), name


def ui_files() -> list[Path]:
    return sorted((REPO / "kiosk" / "ui").rglob("*.py"))


def shell_files() -> list[Path]:
    return sorted((REPO / "kiosk" / "shell").rglob("*.py"))


@pytest.mark.parametrize("path", ui_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_the_ui_does_not_import_the_shell_the_demo_or_the_bench(path):
    # ast.walk sees imports inside functions and under TYPE_CHECKING too: a lazy import is still one.
    upward = {i for i in imports_of(path) if _is_in(i, ABOVE_THE_UI)}
    assert not upward, f"{path}: imports {sorted(upward)}"


@pytest.mark.parametrize("path", shell_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_the_shell_does_not_import_the_ui_pygame_the_demo_or_the_bench(path):
    imports = imports_of(path)
    upward = {i for i in imports if _is_in(i, ABOVE_THE_SHELL) or _top(i) == "pygame"}
    assert not upward, f"{path}: imports {sorted(upward)}"


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    # The rules above rely on it: kiosk/ui/app.py once reached the shell from inside run_kiosk.
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def run():\n    from kiosk.shell.runtime import Runtime\n    return Runtime\n")
    assert _is_in("kiosk.shell.runtime", ABOVE_THE_UI)
    assert "kiosk.shell.runtime" in imports_of(lazy)


def test_drivers_do_not_import_the_shell_or_the_ui():
    for path in sorted((REPO / "drivers").rglob("*.py")):
        assert not {i for i in imports_of(path) if i.startswith(SHELL_MODULES)}, path


@pytest.mark.parametrize("path", sorted((REPO / "drivers").rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_drivers_use_only_the_kiosks_errors_and_domain_model(path):
    assert kiosk_imports_a_driver_may_not_make(path) == set()


def test_the_checker_sees_a_forbidden_import(tmp_path):
    # The test must be able to fail: a module importing pygame is caught by the same parser.
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom pygame import font\n")
    assert "pygame" in imports_of(bad)


def test_the_checker_sees_a_driver_reaching_into_the_kiosk(tmp_path):
    bad = tmp_path / "driver.py"
    bad.write_text(
        "from kiosk.errors import PrinterError\nfrom kiosk.domain.model import CardFacts\n"
        "def draw():\n    from kiosk.ticket.render import compose\n    import kiosk.site.model\n"
    )
    assert kiosk_imports_a_driver_may_not_make(bad) == {"kiosk.ticket.render", "kiosk.site.model"}


def test_the_pure_list_names_files_that_exist():
    missing = [entry for entry in PURE if not (REPO / entry).exists()]
    assert missing == []


def test_init_files_hold_no_logic():
    for path in sorted((REPO / "kiosk").rglob("__init__.py")) + sorted((REPO / "drivers").rglob("__init__.py")):
        tree = ast.parse(path.read_text())
        body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert body == [], f"{path} holds code"
