"""Button ids and the flow events they stand for.

The ids are a contract: the headless scenario runner taps buttons by id, so they stay exactly
`start`, `lang:<code>`, `procedure:<value>`, `answer:<question>:<value>`, `continue`, `back`,
`staff` and `plastic_path`. Values are the domain's own stable enum strings.

A few buttons change only what the view shows, not the visit: the next and previous page of
choices that do not fit one screen at a touchable size, and opening or closing the language
chooser where the language bar does not fit. They carry a `ViewAction` instead of a flow event.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pygame

from kiosk.domain.flow import (
    AnswerQuestion,
    Back,
    CallStaff,
    ChooseLanguage,
    ChooseProcedure,
    Continue,
    Event,
    Question,
    TakePlasticPath,
    Touch,
)
from kiosk.domain.model import Procedure


class ViewAction(Enum):
    """What a view-only button does (the flow never sees these)."""

    PAGE_NEXT = "page:next"
    PAGE_PREVIOUS = "page:previous"
    OPEN_LANGUAGES = "languages:open"
    CLOSE_LANGUAGES = "languages:close"
    SHOW_DETAILS = "details:show"  # the verdict's full list of checks, for staff
    HIDE_DETAILS = "details:hide"


Action = Event | ViewAction

START = "start"
CONTINUE = "continue"
BACK = "back"
STAFF = "staff"
LANGUAGES = "languages"  # opens the language chooser (a view action)
CLOSE = "close"  # closes it
PAGE_NEXT = "page:next"
PAGE_PREVIOUS = "page:previous"
DETAILS = "details"  # the verdict's full list (a view action)
PLASTIC_PATH = "plastic_path"  # the verdict's way forward on the plastic licence card (R4)


def lang_id(code: str) -> str:
    return f"lang:{code}"


def procedure_id(procedure: Procedure) -> str:
    return f"procedure:{procedure.value}"


def answer_id(question: Question, value: str) -> str:
    return f"answer:{question.value}:{value}"


def event_for_id(button_id: str) -> Event | None:
    """The flow event a button id stands for, or None for an id that names no event."""
    fixed: dict[str, Event] = {
        START: Touch(),
        CONTINUE: Continue(),
        BACK: Back(),
        STAFF: CallStaff(),
        PLASTIC_PATH: TakePlasticPath(),
    }
    if button_id in fixed:
        return fixed[button_id]
    kind, _, rest = button_id.partition(":")
    if kind == "lang" and rest:
        return ChooseLanguage(rest)
    if kind == "procedure" and rest in {p.value for p in Procedure}:
        return ChooseProcedure(Procedure(rest))
    if kind == "answer":
        question, _, value = rest.partition(":")
        if question in {q.value for q in Question} and value:
            return AnswerQuestion(Question(question), value)
    return None


@dataclass(frozen=True)
class Button:
    """A button as drawn: where it is, what it does, and whether it is one of the screen's main choices."""

    id: str
    rect: pygame.Rect
    event: Action
    choice: bool = False  # one of the screen's main options (they must never overlap)
