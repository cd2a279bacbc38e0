"""Sound as values: mono 16-bit PCM at a sample rate, and the few operations an announcement needs
(resample, join, a chime, loudness, WAV bytes). Pure: numpy arithmetic and `wave` on memory, no files.

Why one format: the Japanese voice (Open JTalk's HTS voice) speaks at 48 kHz, espeak-ng at 22.05 kHz;
an announcement joins both into one WAV the lobby page plays with one <audio>, so everything is
brought to `RATE` first. 24 kHz keeps speech whole (its energy lies below 8 kHz) at half the bytes
of 48 kHz.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RATE = 24_000
Samples = npt.NDArray[np.int16]


@dataclass(frozen=True, eq=False)
class Pcm:
    rate: int
    samples: Samples  # mono int16

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def from_float(values: npt.NDArray[np.float64], rate: int) -> Pcm:
    """Samples in int16's range as floats (what Open JTalk returns), clipped."""
    return Pcm(rate, np.clip(np.rint(values), -32768, 32767).astype(np.int16))


def resample(pcm: Pcm, rate: int = RATE) -> Pcm:
    """To `rate`, by linear interpolation after a short low-pass when going down (enough for speech
    heard through a TV speaker; no aliasing hiss from the 48 kHz voice's top octave)."""
    if pcm.rate == rate or len(pcm.samples) == 0:
        return Pcm(rate, pcm.samples)
    values = pcm.samples.astype(np.float64)
    if rate < pcm.rate:
        width = max(1, round(pcm.rate / rate))
        if width > 1:  # a moving average as wide as the decimation: its first null sits at the new rate
            values = np.convolve(values, np.ones(width) / width, mode="same")
    count = round(len(values) * rate / pcm.rate)
    positions = np.arange(count) * (pcm.rate / rate)
    return from_float(np.interp(positions, np.arange(len(values)), values), rate)


def silence(seconds: float, rate: int = RATE) -> Pcm:
    return Pcm(rate, np.zeros(round(seconds * rate), dtype=np.int16))


def join(parts: list[Pcm]) -> Pcm:
    rates = {p.rate for p in parts}
    if len(rates) != 1:
        raise ValueError(f"join needs one sample rate, got {sorted(rates)}")
    return Pcm(rates.pop(), np.concatenate([p.samples for p in parts]))


def chime(rate: int = RATE) -> Pcm:
    """The lobby's two-tone chime (880 Hz, then 660 Hz; the screen's own WebAudio chime has the same
    notes), each note struck and fading, about 1.1 s in all."""
    note_s, gap_s = 0.75, 0.35
    t = np.arange(round(note_s * rate)) / rate
    envelope = np.minimum(1.0, t / 0.01) * np.exp(-t / 0.18)
    total = np.zeros(round((gap_s + note_s) * rate))
    for start_s, freq in ((0.0, 880.0), (gap_s, 660.0)):
        start = round(start_s * rate)
        # A little of the octave above gives the bell colour of a real chime.
        tone = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)
        total[start : start + len(t)] += 0.4 * 32767 * envelope * tone / 1.25
    return from_float(total, rate)


def normalized(pcm: Pcm, peak_dbfs: float = -3.0) -> Pcm:
    """Scaled so its loudest sample sits at `peak_dbfs`: both voices come out equally loud."""
    peak = int(np.max(np.abs(pcm.samples.astype(np.int32)))) if len(pcm.samples) else 0
    if peak == 0:
        return pcm
    return from_float(pcm.samples.astype(np.float64) * (32767 * 10 ** (peak_dbfs / 20) / peak), pcm.rate)


def scaled(pcm: Pcm, volume: float) -> Pcm:
    """`volume` 0.0–1.0 of full scale."""
    return from_float(pcm.samples.astype(np.float64) * max(0.0, min(1.0, volume)), pcm.rate)


def to_wav(pcm: Pcm) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(pcm.rate)
        out.writeframes(pcm.samples.astype("<i2").tobytes())
    return buffer.getvalue()


def from_wav(data: bytes) -> Pcm:
    """A mono or stereo 16-bit WAV (stereo is mixed down)."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"16-bit WAV expected, got {8 * wav.getsampwidth()}-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int16)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return Pcm(rate, samples)
