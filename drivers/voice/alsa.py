"""The lobby machine's own audio output through ALSA, by Debian's `aplay` (alsa-utils).

Why `aplay` and not a Python binding: one short-lived process per announcement is plenty for a few
calls a minute, needs no compiled module on the Pi, and a stuck sound device is a process we can
time out and kill. Facts relied on: `aplay -q -D <pcm> -` reads a WAV from standard input and
returns once it has played it (exit 0), non-zero with a message when the device is missing or busy.
The PCM name comes from `[voice] alsa_device` ("default", or "plughw:1,0" for a USB speaker;
`aplay -L` lists them).
"""

from __future__ import annotations

import shutil
import subprocess

from drivers.interfaces import Health, HealthState
from drivers.voice.pcm import from_wav
from kiosk.errors import VoiceError

APLAY = "aplay"
SLACK_S = 5.0  # beyond the sound's own length, before a silent device counts as stuck


class AlsaSpeaker:
    def __init__(self, device: str = "default") -> None:
        binary = shutil.which(APLAY)
        if binary is None:
            raise VoiceError("aplay is not installed (Debian package alsa-utils)")
        self._command = [binary, "-q", "-D", device, "-"]
        self.device = device
        self._error: str | None = None

    def play(self, wav: bytes) -> None:
        seconds = from_wav(wav).seconds
        try:
            done = subprocess.run(self._command, input=wav, capture_output=True, timeout=seconds + SLACK_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._error = str(exc)
            raise VoiceError(f"ALSA {self.device}: {exc}") from exc
        if done.returncode != 0:
            self._error = done.stderr.decode(errors="replace").strip() or f"aplay exited with {done.returncode}"
            raise VoiceError(f"ALSA {self.device}: {self._error}")
        self._error = None

    def health(self) -> Health:
        if self._error is not None:
            return Health("speaker", HealthState.DOWN, f"ALSA {self.device}: {self._error}", False)
        return Health("speaker", HealthState.OK, f"ALSA {self.device}", False)

    def close(self) -> None:
        pass
