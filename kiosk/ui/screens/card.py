"""The card check: where and how to place the card, what is being checked while it is read, and
what went wrong while reading it."""

from __future__ import annotations

from kiosk.domain.flow import CardStage
from kiosk.domain.model import Outcome
from kiosk.ui.chrome import Frame
from kiosk.ui.icons import CardOnReader, OutcomeIcon
from kiosk.ui.layout import Block, Bullet, Gap, IconRow, Panel, Para, Picture, Section, heading, stack
from kiosk.ui.painter import Painter
from kiosk.ui.scene import Scene
from kiosk.ui.theme import BODY, BODY_BOLD, OUTCOME_INK, OUTCOME_TINT, TITLE, TextStyle

# What the reader reads from every card (drivers read all of it, whatever the procedure), named as
# the verdict will name them: no personal data among them.
READ_CHECKS = (
    "card.kind",
    "card.expiry",
    "card.auth_cert",
    "card.sign_cert",
    "card.sign_password",
    "card.licence_data",
)

# The pictogram's height / width: card above the reader with an arrow, or lying on it.
ASPECT_TO_PLACE = 0.7
ASPECT_PLACED = 0.44


def card_picture(*, placed: bool, problem: bool = False, max_units: float = 52) -> Picture:
    return Picture(CardOnReader(placed, problem), ASPECT_PLACED if placed else ASPECT_TO_PLACE, max_units)


def alert(outcome: Outcome, words: str, style: TextStyle = TITLE) -> Panel:
    """A tinted panel with the outcome's icon: a message that must not be missed."""
    row = IconRow(OutcomeIcon(outcome), [Para(words, style)], icon_units=style.size.value * 1.5)
    return Panel([row], OUTCOME_TINT[outcome], OUTCOME_INK[outcome])


def draw_card(p: Painter, scene: Scene, frame: Frame) -> None:
    stage = scene.visit.card_stage
    room = heading(p, frame.content, scene.t("ui.card.title"))
    words: list[Block]
    if stage is CardStage.WAITING:
        words = [
            Para(scene.t("ui.card.place"), TITLE),
            Para(scene.t("ui.card.leave"), BODY),
            Gap(3),
            Para(scene.t("ui.card.privacy"), BODY),
        ]
    elif stage is CardStage.READING:
        checking = [Bullet(scene.t(f"check.{check}"), BODY) for check in READ_CHECKS]
        words = [
            Para(scene.t("ui.card.reading"), TITLE),
            Gap(2),
            Para(scene.t("ui.card.checking"), BODY_BOLD),
            *checking,
        ]
    elif stage is CardStage.PLACE_AGAIN:
        words = [alert(Outcome.WARN, scene.t("ui.card.place_again"))]
    else:
        words = [alert(Outcome.BLOCK, scene.t("ui.card.reader_problem"))]
    picture = card_picture(placed=stage is CardStage.READING, problem=stage is CardStage.READER_PROBLEM)
    sections: list[Section] = [[picture, Gap(3)], words]
    stack(p, room, [sections], middle=True)
