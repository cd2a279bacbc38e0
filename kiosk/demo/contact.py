"""A contact sheet: every screen of the gallery (kiosk.demo.gallery) in one PNG, for people to review.

Each frame is drawn at full size as the kiosk would, then shrunk to a third, with its name under
it; choices spread over pages show every page. Not a test: a picture to put in front of the
people the kiosk is for.

One of the three places outside kiosk/ui that import pygame (tests/architecture/test_layering.py):
it lays the frames kiosk/ui drew onto one sheet.
"""

from __future__ import annotations

from pathlib import Path

import pygame

from kiosk.demo.gallery import scenarios
from kiosk.fonts import Face
from kiosk.site.model import ScreenConfig, SiteConfig
from kiosk.ui.buttons import PAGE_NEXT
from kiosk.ui.png import save_png
from kiosk.ui.text import font
from kiosk.ui.view import KioskView

SHRINK = 3
SHEET_BG = (90, 90, 96)
CAPTION = (255, 255, 255)
MAX_PAGES = 5


def frames(config: SiteConfig, lang: str, screen: ScreenConfig) -> list[tuple[str, pygame.Surface]]:
    """Every gallery screen in this language and screen size, each page of it: (name, frame copy)."""
    out: list[tuple[str, pygame.Surface]] = []
    for scenario in scenarios(config, lang):
        view = KioskView(scenario.config, screen)  # each from its first page
        surface = view.render(scenario.state, scenario.now)
        out.append((scenario.name, surface.copy()))
        for page in range(2, MAX_PAGES + 1):
            rect = view.buttons().get(PAGE_NEXT)
            if rect is None:
                break
            view.press(rect.center)
            out.append((f"{scenario.name} p{page}", view.render(scenario.state, scenario.now).copy()))
    return out


def contact_sheet(config: SiteConfig, lang: str, screen: ScreenConfig, out: Path) -> int:
    """Write the sheet to `out`; returns the number of frames on it."""
    if not pygame.font.get_init():
        pygame.font.init()
    shots = frames(config, lang, screen)
    w, h = screen.width_px // SHRINK, screen.height_px // SHRINK
    caption = font(Face.REGULAR, 18, "en")
    pad, caption_h = 12, 28
    columns = max(1, min(len(shots), 3000 // (w + pad)))
    rows = -(-len(shots) // columns)
    sheet = pygame.Surface((pad + columns * (w + pad), pad + rows * (h + caption_h + pad)))
    sheet.fill(SHEET_BG)
    for i, (name, frame) in enumerate(shots):
        row, col = divmod(i, columns)
        x, y = pad + col * (w + pad), pad + row * (h + caption_h + pad)
        sheet.blit(pygame.transform.smoothscale(frame, (w, h)), (x, y))
        sheet.blit(caption.render(f"{i + 1}. {name}", True, CAPTION), (x, y + h + 4))
    save_png(sheet, out)
    return len(shots)
