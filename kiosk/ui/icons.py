"""Shapes drawn with pygame.draw: outcome icons, arrows, the card-on-reader pictogram.

Drawn rather than taken from the font because BIZ UD Gothic has no reliable ✓ or warning sign,
and because each outcome must differ by shape, not only by colour (a colour-blind visitor reads
a circle with a tick, a triangle with "!", a rounded square with "?", an octagon with "×").
Every function draws inside the rect it is given and scales with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import pygame

from kiosk.domain.model import Outcome
from kiosk.fonts import Face
from kiosk.ui.text import font
from kiosk.ui.theme import (
    CARD_CHIP,
    CARD_FACE,
    INK,
    OUTCOME_INK,
    PRIMARY,
    READER,
    WHITE,
    Color,
)


class Direction(Enum):
    LEFT = -1
    RIGHT = 1
    DOWN = 2


def check_mark(surface: pygame.Surface, rect: pygame.Rect, color: Color) -> None:
    w = max(2, rect.w // 6)
    points = [
        (rect.x + rect.w * 0.12, rect.y + rect.h * 0.55),
        (rect.x + rect.w * 0.40, rect.y + rect.h * 0.82),
        (rect.x + rect.w * 0.88, rect.y + rect.h * 0.20),
    ]
    pygame.draw.lines(surface, color, False, points, w)


def cross(surface: pygame.Surface, rect: pygame.Rect, color: Color) -> None:
    w = max(2, rect.w // 6)
    inset = rect.inflate(-rect.w * 0.3, -rect.h * 0.3)
    pygame.draw.line(surface, color, inset.topleft, inset.bottomright, w)
    pygame.draw.line(surface, color, inset.topright, inset.bottomleft, w)


def chevron(surface: pygame.Surface, rect: pygame.Rect, direction: Direction, color: Color) -> None:
    w = max(2, rect.w // 5)
    cx, cy = rect.center
    dx, dy = rect.w * 0.22, rect.h * 0.34
    if direction is Direction.DOWN:
        points = [(cx - dy, cy - dx), (cx, cy + dx), (cx + dy, cy - dx)]
    else:
        s = direction.value
        points = [(cx - s * dx, cy - dy), (cx + s * dx, cy), (cx - s * dx, cy + dy)]
    pygame.draw.lines(surface, color, False, points, w)


def person(surface: pygame.Surface, rect: pygame.Rect, color: Color) -> None:
    """A head and shoulders: the call-staff button."""
    r = rect.w * 0.2
    pygame.draw.circle(surface, color, (rect.centerx, rect.y + r + rect.h * 0.08), r)
    body = pygame.Rect(0, 0, rect.w * 0.78, rect.h * 0.42)
    body.midbottom = (rect.centerx, rect.bottom)
    round_top = body.h // 2
    pygame.draw.rect(surface, color, body, border_top_left_radius=round_top, border_top_right_radius=round_top)


def globe(surface: pygame.Surface, rect: pygame.Rect, color: Color) -> None:
    """A globe (circle, meridian, parallels): the usual sign for "language" in any script."""
    w = max(2, rect.w // 12)
    ball = rect.inflate(-rect.w * 0.1, -rect.h * 0.1)
    pygame.draw.ellipse(surface, color, ball, w)
    pygame.draw.ellipse(surface, color, ball.inflate(-ball.w * 0.55, 0), w)
    pygame.draw.line(surface, color, (ball.x, ball.centery), (ball.right, ball.centery), w)
    for dy in (-0.25, 0.25):
        y = ball.centery + ball.h * dy
        half = ball.w * 0.5 * math.sqrt(1 - (2 * dy) ** 2)
        pygame.draw.line(surface, color, (ball.centerx - half, y), (ball.centerx + half, y), w)


def _glyph(surface: pygame.Surface, rect: pygame.Rect, char: str, color: Color) -> None:
    px = max(8, round(rect.h * 0.62))
    glyph = font(Face.BOLD, px).render(char, True, color)
    surface.blit(glyph, glyph.get_rect(center=rect.center))


def outcome_icon(surface: pygame.Surface, rect: pygame.Rect, outcome: Outcome) -> None:
    """A filled shape per outcome with a white mark, in a square rect."""
    color = OUTCOME_INK[outcome]
    if outcome is Outcome.OK:
        pygame.draw.circle(surface, color, rect.center, rect.w // 2)
        check_mark(surface, rect.inflate(-rect.w * 0.45, -rect.h * 0.45), WHITE)
    elif outcome is Outcome.WARN:
        triangle = [
            (rect.centerx, rect.y),
            (rect.right, rect.bottom - rect.h * 0.06),
            (rect.x, rect.bottom - rect.h * 0.06),
        ]
        pygame.draw.polygon(surface, color, triangle)
        bar_w = max(2, rect.w // 9)
        top, bottom = rect.y + rect.h * 0.33, rect.y + rect.h * 0.64
        pygame.draw.line(surface, WHITE, (rect.centerx, top), (rect.centerx, bottom), bar_w)
        pygame.draw.circle(surface, WHITE, (rect.centerx, rect.y + rect.h * 0.78), bar_w * 0.7)
    elif outcome is Outcome.UNKNOWN:
        pygame.draw.rect(surface, color, rect, border_radius=rect.w // 4)
        _glyph(surface, rect, "?", WHITE)
    else:
        cx, cy = rect.center
        r = rect.w / 2
        octagon = [
            (cx + r * math.cos(math.radians(22.5 + 45 * i)), cy + r * math.sin(math.radians(22.5 + 45 * i)))
            for i in range(8)
        ]
        pygame.draw.polygon(surface, color, octagon)
        cross(surface, rect.inflate(-rect.w * 0.2, -rect.h * 0.2), WHITE)


def _contactless(surface: pygame.Surface, center: tuple[float, float], size: float, color: Color) -> None:
    """Three arcs opening to the right: the contactless-card sign."""
    w = max(2, round(size / 9))
    for i in range(1, 4):
        r = size * 0.18 * i
        box = pygame.Rect(0, 0, 2 * r, 2 * r)
        box.center = (round(center[0] - size * 0.25), round(center[1]))
        pygame.draw.arc(surface, color, box, -math.pi / 4, math.pi / 4, w)


def _card(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """A My Number card seen from the front: photo at the right, the chip at the left."""
    radius = max(2, rect.h // 10)
    pygame.draw.rect(surface, CARD_FACE, rect, border_radius=radius)
    pygame.draw.rect(surface, INK, rect, max(2, rect.h // 40), border_radius=radius)
    chip = pygame.Rect(rect.x + rect.w * 0.1, rect.y + rect.h * 0.35, rect.w * 0.16, rect.h * 0.26)
    pygame.draw.rect(surface, CARD_CHIP, chip, border_radius=max(1, chip.h // 6))
    photo = pygame.Rect(rect.x + rect.w * 0.66, rect.y + rect.h * 0.18, rect.w * 0.24, rect.h * 0.56)
    pygame.draw.rect(surface, WHITE, photo)
    pygame.draw.circle(surface, READER, (photo.centerx, photo.y + photo.h * 0.38), photo.w * 0.22)
    shoulders = pygame.Rect(photo.x + photo.w * 0.15, photo.y + photo.h * 0.66, photo.w * 0.7, photo.h * 0.5)
    pygame.draw.ellipse(surface, READER, shoulders)
    pygame.draw.rect(surface, WHITE, (photo.x, photo.bottom, photo.w, photo.h * 0.3))
    for i in range(3):  # lines of printed text on the card face
        y = rect.y + rect.h * (0.24 + 0.14 * i)
        pygame.draw.line(surface, READER, (rect.x + rect.w * 0.32, y), (rect.x + rect.w * 0.58, y), 2)


def arrow_down(surface: pygame.Surface, rect: pygame.Rect, color: Color) -> None:
    """A filled arrow pointing down: shaft and head."""
    shaft = pygame.Rect(0, 0, rect.w * 0.34, rect.h * 0.55)
    shaft.midtop = rect.midtop
    pygame.draw.rect(surface, color, shaft)
    head = [(rect.x, shaft.bottom), (rect.right, shaft.bottom), (rect.centerx, rect.bottom)]
    pygame.draw.polygon(surface, color, head)


def card_on_reader(surface: pygame.Surface, rect: pygame.Rect, *, placed: bool, problem: bool = False) -> None:
    """The reader as a dark slab, the card above it with an arrow (to place) or on it (placed)."""
    slab = pygame.Rect(0, 0, rect.w * 0.8, rect.h * 0.34)
    slab.midbottom = rect.midbottom
    pygame.draw.rect(surface, READER, slab, border_radius=max(2, slab.h // 6))
    pad = slab.inflate(-slab.w * 0.16, -slab.h * 0.3)
    pygame.draw.rect(surface, (90, 96, 108), pad, border_radius=max(2, pad.h // 6))
    card = pygame.Rect(0, 0, slab.w * 0.62, slab.w * 0.62 / 1.585)  # ID-1 card proportions
    if placed:
        card.midbottom = (pad.centerx, pad.bottom - pad.h * 0.2)
    else:
        # the contactless mark shows where on the reader the card goes
        _contactless(surface, (pad.centerx + pad.h * 0.3, pad.centery), pad.h * 0.8, WHITE)
        card.midtop = (slab.centerx, rect.y)
        room = slab.y - card.bottom
        if room > card.h * 0.2 and not problem:  # no "place it" arrow over a broken reader
            arrow = pygame.Rect(0, 0, room * 0.7, room * 0.8)
            arrow.center = (slab.centerx, card.bottom + room // 2)
            arrow_down(surface, arrow, PRIMARY)
    _card(surface, card)
    if placed and not problem:
        _contactless(surface, (card.right + slab.w * 0.06, card.centery), card.h * 0.6, PRIMARY)
    if problem:
        badge = pygame.Rect(0, 0, slab.h * 0.8, slab.h * 0.8)
        badge.center = (slab.right - badge.w * 0.3, slab.y)
        outcome_icon(surface, badge, Outcome.BLOCK)


@dataclass(frozen=True)
class OutcomeIcon:
    """`outcome_icon` as a value: equal drawings compare equal, so a layout can be remembered."""

    outcome: Outcome

    def __call__(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        outcome_icon(surface, rect, self.outcome)


@dataclass(frozen=True)
class CardOnReader:
    """`card_on_reader` as a value (see OutcomeIcon)."""

    placed: bool
    problem: bool = False

    def __call__(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        card_on_reader(surface, rect, placed=self.placed, problem=self.problem)
