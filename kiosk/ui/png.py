"""Writing a rendered screen to a PNG file, for the headless demo, reviews and golden tests."""

from __future__ import annotations

from pathlib import Path

import pygame


def save_png(surface: pygame.Surface, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(surface, str(path))
