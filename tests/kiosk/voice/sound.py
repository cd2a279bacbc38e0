"""Transcription-free measures of a sound: is there speech in it, and how much?

- loudness per 20 ms frame (RMS in dBFS) and the share of frames above a floor (speech is mostly
  voiced, with short pauses; silence and clicks are not);
- the share of energy in the speech band (150–4000 Hz);
- how steady the pitch is: a tone (a chime, a hum) keeps one strongest frequency, speech moves it;
- syllable-like bursts: peaks of the smoothed loudness, ~4–9 a second in speech.
"""

from __future__ import annotations

import itertools

import numpy as np

from drivers.voice.pcm import Pcm

FRAME_S = 0.02


def frames(pcm: Pcm, frame_s: float = FRAME_S) -> np.ndarray:
    size = max(1, round(frame_s * pcm.rate))
    count = len(pcm.samples) // size
    return pcm.samples[: count * size].astype(np.float64).reshape(count, size) / 32768.0


def frame_dbfs(pcm: Pcm) -> np.ndarray:
    rms = np.sqrt(np.mean(frames(pcm) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def rms_dbfs(pcm: Pcm) -> float:
    rms = float(np.sqrt(np.mean((pcm.samples.astype(np.float64) / 32768.0) ** 2)))
    return 20 * np.log10(max(rms, 1e-9))


def active_share(pcm: Pcm, floor_dbfs: float = -40.0) -> float:
    return float(np.mean(frame_dbfs(pcm) > floor_dbfs))


def speech_band_share(pcm: Pcm, low_hz: float = 150.0, high_hz: float = 4000.0) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(pcm.samples), 1 / pcm.rate)
    band = (freqs >= low_hz) & (freqs <= high_hz)
    return float(spectrum[band].sum() / max(spectrum.sum(), 1e-12))


def distinct_pitches(pcm: Pcm, floor_dbfs: float = -35.0) -> int:
    """How many different strongest frequencies (to 25 Hz) the loud 40 ms frames have."""
    loud = frames(pcm, 0.04)[frame_dbfs_of(pcm, 0.04) > floor_dbfs]
    if len(loud) == 0:
        return 0
    window = np.hanning(loud.shape[1])
    peaks = np.argmax(np.abs(np.fft.rfft(loud * window, axis=1)), axis=1) * (pcm.rate / loud.shape[1])
    return len({round(p / 25) for p in peaks})


def frame_dbfs_of(pcm: Pcm, frame_s: float) -> np.ndarray:
    rms = np.sqrt(np.mean(frames(pcm, frame_s) ** 2, axis=1))
    return 20 * np.log10(np.maximum(rms, 1e-9))


def bursts(pcm: Pcm, floor_dbfs: float = -35.0) -> int:
    """Syllable-like bursts: local maxima of the 10 ms loudness smoothed over 50 ms, above the floor,
    each at least 3 dB above the dip before it."""
    level = frame_dbfs_of(pcm, 0.01)
    smooth = np.convolve(level, np.ones(5) / 5, mode="same")
    count, dip, rising = 0, smooth[0] if len(smooth) else 0.0, False
    for prev, cur in itertools.pairwise(smooth):
        if cur > prev:
            rising = True
        elif rising and cur < prev:
            if prev > floor_dbfs and prev - dip >= 3.0:
                count += 1
                dip = prev
            rising = False
        dip = min(dip, cur)
    return count
