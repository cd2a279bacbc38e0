"""The ALSA speaker through Debian's aplay: ALSA's own `null` device takes the sound; a missing device
is a clear VoiceError, never a hang."""

from __future__ import annotations

import shutil

import pytest

from drivers.voice.alsa import AlsaSpeaker
from drivers.voice.pcm import chime, to_wav
from kiosk.errors import VoiceError

pytestmark = pytest.mark.skipif(shutil.which("aplay") is None, reason="aplay (alsa-utils) is not installed")


def test_aplay_plays_to_alsas_null_device():
    speaker = AlsaSpeaker("null")
    speaker.play(to_wav(chime()))
    assert speaker.health().state.value == "ok"


def test_a_missing_device_is_a_clear_error_and_marks_the_speaker_down():
    speaker = AlsaSpeaker("no_such_pcm_device")
    with pytest.raises(VoiceError, match="no_such_pcm_device"):
        speaker.play(to_wav(chime()))
    assert speaker.health().state.value == "down"
