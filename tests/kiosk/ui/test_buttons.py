"""Button ids ↔ flow events: the contract the headless scenario runner relies on."""

from __future__ import annotations

import pytest

from kiosk.domain.flow import (
    AnswerQuestion,
    Back,
    CallStaff,
    ChooseLanguage,
    ChooseProcedure,
    Continue,
    Event,
    Question,
    Touch,
)
from kiosk.domain.model import Procedure
from kiosk.ui.buttons import answer_id, event_for_id, lang_id, procedure_id


@pytest.mark.parametrize(
    ("button_id", "event"),
    [
        ("start", Touch()),
        ("continue", Continue()),
        ("back", Back()),
        ("staff", CallStaff()),
        ("lang:en", ChooseLanguage("en")),
        ("procedure:renewal", ChooseProcedure(Procedure.RENEWAL)),
        ("answer:lecture_class:excellent", AnswerQuestion(Question.LECTURE_CLASS, "excellent")),
        ("answer:online_lecture:yes", AnswerQuestion(Question.ONLINE_LECTURE, "yes")),
    ],
)
def test_an_id_names_its_event(button_id: str, event: Event) -> None:
    assert event_for_id(button_id) == event


@pytest.mark.parametrize("button_id", ["", "lang:", "procedure:nothing", "answer:current", "answer:nope:x", "go"])
def test_an_unknown_id_names_no_event(button_id: str) -> None:
    assert event_for_id(button_id) is None


def test_ids_are_built_from_the_domain_values() -> None:
    assert lang_id("ja") == "lang:ja"
    assert all(event_for_id(procedure_id(p)) == ChooseProcedure(p) for p in Procedure)
    assert answer_id(Question.CURRENT, "both") == "answer:current:both"
