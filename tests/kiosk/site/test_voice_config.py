"""`[voice]`: where announcements play, how loud, and when the lobby keeps quiet."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from kiosk.site.load import load_site_config
from kiosk.site.model import VoiceConfig, VoiceOutput
from tests.kiosk.site.test_load import SHIPPED, edited, problems_of, shipped_text, write


def test_the_shipped_config_speaks_on_the_screen_with_quiet_evenings() -> None:
    voice = load_site_config(SHIPPED).voice
    assert voice == VoiceConfig(VoiceOutput.SCREEN, 80, time(18, 0), time(8, 0), "default")


def test_without_a_voice_table_nothing_is_said(tmp_path: Path) -> None:
    text = shipped_text()
    start, end = text.index("[voice]"), text.index("[storage]")
    assert load_site_config(write(tmp_path, text[:start] + text[end:])).voice.output is VoiceOutput.OFF


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ('output = "screen"', 'output = "tv"', 'voice.output: unknown voice output "tv"'),
        ("volume_percent = 80", "volume_percent = 101", "voice.volume_percent: must be at most 100"),
        ("volume_percent = 80", "", "voice.volume_percent: missing"),
        ('from = "18:00"', 'from = "6pm"', 'voice.quiet_hours.from: "6pm" is not a time'),
        (', until = "08:00"', "", "voice.quiet_hours.until: missing"),
        ('alsa_device = "default"', 'alsa_device = "a b"', "voice.alsa_device:"),
        ('output = "screen"', 'output = "screen"\nlanguage = "en"', "voice.language: unknown key"),
    ],
)
def test_a_bad_voice_value_is_named_with_its_dotted_path(tmp_path: Path, old: str, new: str, problem: str) -> None:
    problems = problems_of(write(tmp_path, edited(old, new)))
    assert len(problems) == 1 and problems[0].startswith(problem), problems


@pytest.mark.parametrize(
    ("at", "quiet"),
    [(time(17, 59), False), (time(18, 0), True), (time(23, 30), True), (time(7, 59), True), (time(8, 0), False)],
)
def test_quiet_hours_run_over_midnight(at: time, quiet: bool) -> None:
    assert VoiceConfig(VoiceOutput.SCREEN, 80, time(18, 0), time(8, 0)).quiet_at(at) is quiet


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = VoiceConfig(VoiceOutput.SCREEN, 80, time(12, 0), time(13, 0))
    assert lunch.quiet_at(time(12, 30)) and not lunch.quiet_at(time(13, 0)) and not lunch.quiet_at(time(11, 0))
    assert not VoiceConfig(VoiceOutput.SCREEN).quiet_at(time(3, 0))
