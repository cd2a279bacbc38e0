"""The real voices (Open JTalk, espeak-ng) speak: audio of a plausible length with speech in it.

No transcription: loudness, the share of loud frames, the energy in the speech band, a pitch that
moves (not a tone), and syllable-like bursts at a speaking rate. Open JTalk's own front end tells how
it reads the sentence, which checks the staff readings reach the voice intact.
"""

from __future__ import annotations

import pytest

from drivers.voice.espeak import VOICES, EspeakVoice
from drivers.voice.openjtalk import OpenJTalkVoice
from drivers.voice.pcm import RATE, resample
from kiosk.errors import VoiceError
from kiosk.voice.reading import sentence
from tests.kiosk.voice.sound import active_share, bursts, distinct_pitches, rms_dbfs, speech_band_share


@pytest.fixture(scope="module")
def japanese():
    voice = OpenJTalkVoice()
    yield voice
    voice.close()


def assert_speech(pcm, min_s, max_s):
    assert min_s <= pcm.seconds <= max_s, pcm.seconds
    assert rms_dbfs(pcm) > -30  # well above silence
    assert active_share(pcm) > 0.5  # mostly sound, with pauses
    assert speech_band_share(pcm) > 0.8  # not hum, not hiss
    assert distinct_pitches(pcm) >= 8  # a moving voice, not a steady tone
    rate = bursts(pcm) / pcm.seconds
    assert 2.0 <= rate <= 12.0, rate  # syllable-like bursts at a speaking pace


def test_open_jtalk_speaks_the_japanese_call(japanese):
    pcm = japanese.speak(sentence("M-012", "13", "ja").text)
    assert pcm.rate == 48_000
    # 33 morae and four pauses: 4–10 s at any sensible speed.
    assert_speech(pcm, 4.0, 10.0)


def test_open_jtalk_reads_the_label_as_staff_do(japanese):
    kana = japanese.kana(sentence("M-012", "13", "ja").text).replace("’", "")
    assert "エムノ" in kana
    assert "ジューニバンノカタ" in kana
    assert "ジューサンバンマドグチ" in kana


@pytest.mark.parametrize("lang", sorted(VOICES))
def test_espeak_speaks_the_call_in(lang):
    pcm = EspeakVoice(lang).speak(sentence("M-012", "13", lang).text)
    assert pcm.rate == 22_050
    assert_speech(pcm, 2.0, 8.0)


def test_speech_survives_the_resampling_to_the_announcement_rate(japanese):
    pcm = resample(japanese.speak(sentence("M-012", "13", "ja").text), RATE)
    assert pcm.rate == RATE
    assert_speech(pcm, 4.0, 10.0)


def test_silence_is_not_taken_for_speech():
    # The measures above must be able to fail: espeak saying nothing but pauses.
    pcm = EspeakVoice("en").speak("...")
    assert pcm.seconds < 1.0 or active_share(pcm) < 0.5


def test_a_language_without_a_voice_is_a_clear_error():
    with pytest.raises(VoiceError, match="no voice"):
        EspeakVoice("tlh")


def test_a_missing_dictionary_is_a_clear_error(tmp_path):
    with pytest.raises(VoiceError, match="open-jtalk-mecab-naist-jdic"):
        OpenJTalkVoice(dictionary=tmp_path)
