"""The pre-check verdict: one line per check, worst first, each with its icon, words and remedy.

A My Number card with little readable data yields up to eleven lines, more than fit at full size,
so the same content comes in several wordings, fullest first: every line in full; "OK" lines
without their (obvious) explanation; the "OK" lines together on one row; lines that share an
outcome and a remedy in one panel that says both once; the same without the summary. Each
wording is kept down to a floor of type size before the next, more compact one is tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from kiosk.domain.model import CheckResult, Outcome
from kiosk.messages import has
from kiosk.ui.chrome import Frame
from kiosk.ui.icons import OutcomeIcon
from kiosk.ui.layout import SCALES, Block, Bullet, Drawing, Gap, IconRow, Panel, Para, Section, heading, stack
from kiosk.ui.painter import Painter
from kiosk.ui.scene import Scene
from kiosk.ui.screens.card import alert
from kiosk.ui.theme import BODY, BODY_BOLD, OUTCOME_INK, OUTCOME_TINT


def _icon(outcome: Outcome) -> Drawing:
    return OutcomeIcon(outcome)


def _headline(scene: Scene, check: CheckResult) -> Para:
    """The check's own sentence for its outcome ("The card has expired"): "{check}: {outcome}"
    read badly outside Japanese ("Validade do cartão: Hoje não é possível"). A check without its
    sentences yet still says both."""
    key = f"check.{check.check}.{check.outcome}"
    if has(key):
        words = scene.t(key)
    else:
        words = scene.t(
            "ui.verdict.line", check=scene.t(f"check.{check.check}"), outcome=scene.t(f"outcome.{check.outcome}")
        )
    return Para(words, BODY_BOLD, color=OUTCOME_INK[check.outcome])


def _remedy(scene: Scene, remedy: str | None) -> list[Block]:
    if remedy is None:
        return []
    return [Gap(1), Para(scene.t("ui.verdict.remedy", remedy=scene.t(f"remedy.{remedy}")), BODY_BOLD)]


def _panel(outcome: Outcome, blocks: Sequence[Block], pad: float = 2.0) -> Section:
    return [Panel([IconRow(_icon(outcome), blocks, icon_units=6.5)], OUTCOME_TINT[outcome], pad_units=pad)]


def _full(scene: Scene, check: CheckResult) -> Section:
    headline = _headline(scene, check)
    reason = _after(headline.text, scene.t(f"reason.{check.reason}"))
    blocks = [headline, *([Para(reason, BODY)] if reason else []), *_remedy(scene, check.remedy)]
    return _panel(check.outcome, blocks)


def _after(headline: str, reason: str) -> str:
    """The reason without a first sentence that only repeats the headline ("The signature password
    is locked. Licence counters cannot unlock it." under "The signature password is locked")."""
    said = headline.rstrip(".。").casefold()
    if not reason.casefold().startswith(said):
        return reason
    rest = reason[len(said) :]
    if rest[:1] not in (".", "。", ":", "：", ",", "，", "、", " ", ""):
        return reason  # the headline was only the start of a word or phrase
    rest = rest.lstrip(".。:：,，、 ")
    return rest[:1].upper() + rest[1:]


def _compact(scene: Scene, check: CheckResult) -> Section:
    return _panel(check.outcome, [_headline(scene, check)], pad=1.2)


def _ok_together(scene: Scene, checks: Sequence[CheckResult]) -> list[Section]:
    """Every "OK" line in one row: titles joined, one tick."""
    oks = [c for c in checks if c.outcome is Outcome.OK]
    if not oks:
        return []
    titles = scene.t("ui.list.join").join(scene.t(f"check.{c.check}") for c in oks)
    words = scene.t("ui.verdict.all_ok", checks=titles)
    return [_panel(Outcome.OK, [Para(words, BODY_BOLD, color=OUTCOME_INK[Outcome.OK])], pad=1.2)]


def _grouped(scene: Scene, checks: Sequence[CheckResult]) -> list[Section]:
    """Lines with the same outcome and remedy share one panel: the outcome and remedy said once,
    each check as "title: reason" (a line alone keeps its own sentence)."""
    sections: list[Section] = []
    problems = sorted((c for c in checks if c.outcome is not Outcome.OK), key=_group_key)
    for _, group in groupby(problems, key=_group_key):
        members = list(group)
        if len(members) == 1:  # a group of one: its own sentence, as in full
            sections.append(_full(scene, members[0]))
            continue
        outcome, remedy = members[0].outcome, members[0].remedy
        blocks: list[Block] = [Para(scene.t(f"outcome.{outcome}"), BODY_BOLD, color=OUTCOME_INK[outcome])]
        for check in members:
            item = scene.t(
                "ui.verdict.item", check=scene.t(f"check.{check.check}"), reason=scene.t(f"reason.{check.reason}")
            )
            blocks.append(Bullet(item, BODY))
        sections.append(_panel(outcome, [*blocks, *_remedy(scene, remedy)]))
    return sections + _ok_together(scene, checks)


def _group_key(check: CheckResult) -> tuple[int, str]:
    return -check.outcome.severity, check.remedy or ""


def draw_verdict(p: Painter, scene: Scene, frame: Frame) -> None:
    visit = scene.visit
    room = heading(p, frame.content, scene.t("ui.verdict.title"))
    checks = sorted(visit.checks, key=lambda c: -c.outcome.severity)  # worst first, else in rule order
    summary: Section = [alert(visit.verdict, scene.t(f"ui.verdict.summary.{visit.verdict}"))]
    problems = [_full(scene, c) for c in checks if c.outcome is not Outcome.OK]
    variants = [
        [summary, *(_full(scene, c) for c in checks)],
        [summary, *problems, *(_compact(scene, c) for c in checks if c.outcome is Outcome.OK)],
        [summary, *problems, *_ok_together(scene, checks)],
        [summary, *_grouped(scene, checks)],
        _grouped(scene, checks),  # the outcome icons say what the summary would
    ]
    # One line per check is worth a slightly smaller type; grouping only when that is not enough. Body
    # text never drops under its least size for the panel (min_scale): then the checks go over pages,
    # one panel per check so that no panel is taller than a page.
    floors = tuple(max(floor, p.m.min_scale) for floor in (0.92, 0.84, 0.84, 0.76, SCALES[-1]))
    stack(p, room, variants, floors=floors, paged=[summary, *problems, *_ok_together(scene, checks)])
