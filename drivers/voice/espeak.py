"""The other languages' voice: Debian's espeak-ng, run once per sentence.

Facts (lobby-facts.md §6, checked here with espeak-ng 1.51): voices `en-us`, `pt-br`, `vi`, `cmn` (Mandarin,
Latin letters read as English); output is a 22.05 kHz mono WAV (`--stdout`); a sentence takes ~10 ms.
Robotic but clear, and offline. Its Japanese voice reads kana only, so Japanese goes to Open JTalk.
"""

from __future__ import annotations

import shutil
import subprocess

from drivers.interfaces import Health, HealthState
from drivers.voice.pcm import Pcm, from_wav
from kiosk.errors import VoiceError

ESPEAK = "espeak-ng"
TIMEOUT_S = 10.0
# The kiosk's language codes -> espeak-ng voices.
VOICES = {"en": "en-us", "pt-BR": "pt-br", "vi": "vi", "zh-Hans": "cmn"}
WORDS_PER_MINUTE = 150  # espeak's default is 175: a little slower for a loud hall


class EspeakVoice:
    def __init__(self, lang: str, words_per_minute: int = WORDS_PER_MINUTE) -> None:
        if lang not in VOICES:
            raise VoiceError(f"espeak-ng has no voice for {lang!r} here (known: {', '.join(VOICES)})")
        binary = shutil.which(ESPEAK)
        if binary is None:
            raise VoiceError("espeak-ng is not installed (Debian package espeak-ng)")
        self._command = [binary, "-v", VOICES[lang], "-s", str(words_per_minute), "--stdout"]
        self.lang = lang
        self._error: str | None = None

    def speak(self, text: str) -> Pcm:
        try:
            command = [*self._command, "--", text]
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=True, stdin=subprocess.DEVNULL)
            pcm = from_wav(_fix_stream_header(done.stdout))
        except (OSError, subprocess.SubprocessError, ValueError, EOFError) as exc:
            self._error = str(exc)
            raise VoiceError(f"espeak-ng ({self.lang}) failed: {exc}") from exc
        self._error = None
        return pcm

    def health(self) -> Health:
        if self._error is not None:
            return Health(f"voice-{self.lang}", HealthState.DEGRADED, f"espeak-ng: {self._error}", False)
        return Health(f"voice-{self.lang}", HealthState.OK, "espeak-ng ready", False)

    def close(self) -> None:
        pass


def _fix_stream_header(data: bytes) -> bytes:
    """espeak-ng writing to a pipe cannot seek back, so its RIFF and data sizes say 0x7FFFFFFF-ish:
    set them from what actually arrived (a 44-byte canonical header, which is what it writes)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[36:40] != b"data":
        raise ValueError("espeak-ng did not write a WAV")
    size = len(data) - 44
    return data[:4] + (size + 36).to_bytes(4, "little") + data[8:40] + size.to_bytes(4, "little") + data[44:]
