"""Render every scenario to PNG files for a person to look at (not a test).

    SDL_VIDEODRIVER=dummy .venv/bin/python -m tests.kiosk.ui.review /tmp/ui-review [name-filter ...]

One file per scenario, language and size: `<scenario>-<lang>-<w>x<h>.png`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pygame

from kiosk.demo.gallery import scenarios
from kiosk.site.load import load_site_config
from kiosk.ui.view import KioskView
from tests.kiosk.ui.sizes import SCREENS

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "/tmp/ui-review")
    wanted = argv[1:]
    out.mkdir(parents=True, exist_ok=True)
    config = load_site_config(CONFIG_DIR)
    count = 0
    for name in SCREENS:
        view = KioskView(config, SCREENS[name], simulation=True)
        for lang in config.site.languages:
            for scenario in scenarios(config, lang):
                if wanted and not any(w in scenario.name for w in wanted):
                    continue
                view.config = scenario.config
                surface = view.render(scenario.state, scenario.now)
                pygame.image.save(surface, out / f"{scenario.name}-{lang}-{name}.png")
                count += 1
    print(f"{count} screens in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
