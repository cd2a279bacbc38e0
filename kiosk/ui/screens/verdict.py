"""The pre-check verdict, in two views.

The visitor's view (the default) holds only what is not OK, in plain words, worst first, each with
what to do about it, then one line 「ほかは問題ありません」. When the visit is blocked, only the
blocking lines show: a warning about a step the visitor cannot take today (the permanence of a
portal link whose password is locked) is noise. Under it, the way forward when there is one (R4:
the same visit on the plastic licence card), and a "details" button for staff.

The details view lists every check. A My Number card with little readable data yields up to
eleven lines, more than fit at full size, so the same content comes in several wordings, fullest
first: every line in full; "OK" lines without their (obvious) explanation; the "OK" lines
together on one row; lines that share an outcome and a remedy in one panel that says both once;
the same without the summary. Each wording is kept down to a floor of type size before the next,
more compact one is tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby

import pygame

from kiosk.domain.flow import Flow, TakePlasticPath
from kiosk.domain.model import CheckResult, LostItem, Outcome, Procedure
from kiosk.messages import has
from kiosk.ui import buttons
from kiosk.ui.buttons import ViewAction
from kiosk.ui.chrome import Frame
from kiosk.ui.icons import OutcomeIcon
from kiosk.ui.layout import SCALES, Block, Bullet, Drawing, Gap, IconRow, Panel, Para, Section, heading, stack
from kiosk.ui.painter import Look, Painter
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
    blocks = [
        headline,
        *([Para(reason, BODY)] if reason else []),
        *_dates(scene, check),
        *_remedy(scene, check.remedy),
    ]
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
    room = heading(p, frame.content, scene.t("ui.verdict.title"))
    room = _buttons(p, scene, room)
    if scene.details:
        _draw_details(p, scene, room)
    else:
        _draw_plain(p, scene, room)


def shown_checks(checks: tuple[CheckResult, ...]) -> list[CheckResult]:
    """The lines of the visitor's view: the blocking ones when any blocks, else every one not OK;
    worst first, else in rule order."""
    blocking = [c for c in checks if c.outcome is Outcome.BLOCK]
    shown = blocking or [c for c in checks if c.outcome is not Outcome.OK]
    return sorted(shown, key=lambda c: -c.outcome.severity)


def _draw_plain(p: Painter, scene: Scene, room: pygame.Rect) -> None:
    """Fullest first: with the summary; without it (each line's icon and colour say as much); and,
    when a slip was printed, without the remedies (the slip carries them). Pages only as a last
    resort, and never a page holding the summary alone."""
    visit = scene.visit
    shown = shown_checks(visit.checks)
    summary: Section = [alert(visit.verdict, scene.t(f"ui.verdict.summary.{visit.verdict}"))]
    lines = [_plain(scene, c) for c in shown]
    rest: list[Section] = []
    hidden = [c for c in visit.checks if c not in shown]
    if shown and hidden and all(c.outcome is Outcome.OK for c in hidden):
        rest.append(_panel(Outcome.OK, [Para(scene.t("ui.verdict.rest_ok"), BODY_BOLD)], pad=1.2))
    if visit.refusal is not None:
        rest.append([Para(scene.t("ui.slip.printed"), BODY_BOLD)])  # every block prints its slip
    variants = [[summary, *lines, *rest], [*lines, *rest]]
    if visit.refusal is not None:
        variants.append([*(_plain(scene, c, remedy=False) for c in shown), *rest])
    floors = tuple(max(floor, p.m.min_scale) for floor in (0.84, *[SCALES[-1]] * (len(variants) - 1)))
    stack(p, room, variants, floors=floors, paged=[*lines, *rest])


def _plain(scene: Scene, check: CheckResult, remedy: bool = True) -> Section:
    """One line in plain words: what it is about, what is wrong, the dates it rests on, what to do."""
    sentence = f"check.{check.check}.{check.outcome}"  # "署名用パスワードがロックされています"
    headline = scene.t(sentence) if has(sentence) else scene.t(f"check.{check.check}")
    reason = _after(headline, scene.t(f"reason.{check.reason}"))
    blocks: list[Block] = [
        Para(headline, BODY_BOLD, color=OUTCOME_INK[check.outcome]),
        *([Para(reason, BODY)] if reason else []),
        *_dates(scene, check),
        *(_remedy(scene, check.remedy) if remedy else []),
    ]
    return _panel(check.outcome, blocks)


def _dates(scene: Scene, check: CheckResult) -> list[Block]:
    """The dates a line rests on (R7, R8), each in words: 「マイナンバーカードの有効期限：2030年5月1日」."""
    return [
        Para(scene.t(f"ui.verdict.date.{name}", date=format_date(scene, date.fromisoformat(iso))), BODY_BOLD)
        for name, iso in check.dates
    ]


def format_date(scene: Scene, day: date) -> str:
    return scene.t("ui.date", year=day.year, month=day.month, day=day.day)


def _buttons(p: Painter, scene: Scene, room: pygame.Rect) -> pygame.Rect:
    """The way forward on the plastic card (R4) when there is one, and details for staff, in a row at
    the bottom of the room; returns the room above them."""
    m = p.m
    visit = scene.visit
    row = pygame.Rect(room.x, room.bottom - m.button_h, room.w, m.button_h)
    details_key = "ui.verdict.plain_view" if scene.details else "ui.verdict.details"
    details_action = ViewAction.HIDE_DETAILS if scene.details else ViewAction.SHOW_DETAILS
    if Flow.offers_plastic_path(visit):
        lost = visit.answers.procedure is Procedure.REISSUE and visit.answers.lost is not LostItem.LICENSE_CARD
        label = scene.t("ui.verdict.plastic_path_issue" if lost else "ui.verdict.plastic_path")
        gap = max(m.px(4), m.target_gap)
        details_w = max(m.target, (row.w - gap) // 3)
        forward = pygame.Rect(row.x, row.y, row.w - details_w - gap, row.h)
        p.button(buttons.PLASTIC_PATH, TakePlasticPath(), forward, label, look=Look.CHOICE)
        row = pygame.Rect(forward.right + gap, row.y, details_w, row.h)
    else:
        row = pygame.Rect(row.right - max(m.target, row.w // 2), row.y, max(m.target, row.w // 2), row.h)
    p.button(buttons.DETAILS, details_action, row, scene.t(details_key), look=Look.PLAIN)
    return pygame.Rect(room.x, room.y, room.w, row.y - m.target_gap - room.y)


def _draw_details(p: Painter, scene: Scene, room: pygame.Rect) -> None:
    """Every check, for staff: the fullest wording that fits."""
    visit = scene.visit
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
    # Paged, the summary is left out: a page holding it alone would say nothing the icons do not.
    stack(p, room, variants, floors=floors, paged=[*problems, *_ok_together(scene, checks)])
