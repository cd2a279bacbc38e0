"""Green, yellow or red, with the reason in plain Japanese (and English): what staff read.

Pure: the time is given. Drivers describe a device's state in English for logs (`Health.detail`);
here each known detail becomes words a facility clerk acts on ("用紙切れです。ロール紙を交換して
ください"), and an unknown one is shown as the driver said it, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drivers.interfaces import Health, HealthState
from kiosk.health.model import UNDER_VOLTAGE_NOW, Beat

SILENT_AFTER_S = 30.0  # a process not heard from this long is DOWN (issue 17)
LOOP_STUCK_S = 10.0  # the kiosk's screen loop has not turned this long: the screen is frozen
DISK_LOW_BYTES = 200 * 1024 * 1024
HOT_C = 80.0  # the Pi 4/5 soft-throttles from 80 °C


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


@dataclass(frozen=True)
class Finding:
    source: str  # the kiosk id, or "lobby"
    part: str  # a device ("printer"), or "process" for the machine and program itself
    light: Light
    ja: str
    en: str

    @property
    def key(self) -> str:
        """One problem, for alerts: the same part with another reason is another alert."""
        return f"{self.source}/{self.part}/{self.light.value}/{self.en}"


# (device, words in the detail) -> (ja, en). First match wins; a device's own fallback follows.
_DEVICE_WORDS: tuple[tuple[str, str, str, str], ...] = (
    ("printer", "paper end", "用紙切れです。ロール紙を交換してください。", "Paper end: load a new roll."),
    ("printer", "near end", "用紙が残りわずかです。早めに交換してください。", "Paper near end: change the roll soon."),
    (
        "printer",
        "of paper left",
        "用紙が残りわずかです（枚数からの推定）。早めに交換してください。",
        "Little paper left (counted): change the roll soon.",
    ),
    ("printer", "cover open", "プリンターのカバーが開いています。閉めてください。", "Printer cover open: close it."),
    (
        "printer",
        "does not answer",
        "プリンターが応答しません。電源とケーブルを確認してください。",
        "Printer does not answer: check its power and cable.",
    ),
    (
        "printer",
        "not believed",
        "プリンターの応答が不正です。電源を入れ直してください。",
        "Printer answers garbage: switch it off and on.",
    ),
    ("printer", "offline", "プリンターがオフラインです。", "Printer offline."),
    (
        "printer",
        "error",
        "プリンターのエラーです（カッターなど）。プリンターを確認してください。",
        "Printer error (cutter or mechanism): check the printer.",
    ),
    ("printer", "ready", "正常です。", "Ready."),
    (
        "card_reader",
        "unplugged",
        "カードリーダーが外れています。USBケーブルを確認してください。",
        "Card reader unplugged: check its USB cable.",
    ),
    (
        "card_reader",
        "no card reader",
        "カードリーダーが見つかりません。USBケーブルを確認してください。",
        "No card reader found: check its USB cable.",
    ),
    (
        "card_reader",
        "pcscd not reachable",
        "カードリーダーのサービス（pcscd）が動いていません。",
        "The card reader service (pcscd) is not running.",
    ),
)

_DEVICE_NAMES = {
    "printer": ("プリンター", "Printer"),
    "card_reader": ("カードリーダー", "Card reader"),
    "queue_display": ("番号表示器", "Number display"),
}


def device_name(device: str) -> tuple[str, str]:
    return _DEVICE_NAMES.get(device, (device, device))


def judge_device(source: str, health: Health) -> Finding:
    light = {HealthState.OK: Light.GREEN, HealthState.DEGRADED: Light.YELLOW}.get(health.state, Light.RED)
    detail = health.detail.lower()
    for device, words, ja, en in _DEVICE_WORDS:
        if device == health.device and words in detail:
            if light is not Light.GREEN and words == "ready":
                continue
            return Finding(source, health.device, light, ja, en)
    if light is Light.GREEN:
        return Finding(source, health.device, light, "正常です。", "OK.")
    name_ja, name_en = device_name(health.device)
    state_ja = "使えません" if light is Light.RED else "注意が必要です"
    return Finding(
        source, health.device, light, f"{name_ja}が{state_ja}（{health.detail}）", f"{name_en}: {health.detail}"
    )


def judge_process(beat: Beat | None, source: str, now_s: float, silent_after_s: float = SILENT_AFTER_S) -> Finding:
    """The process itself: heard from lately, loop turning, in service, the machine well."""
    if beat is None:
        return Finding(source, "process", Light.RED, "一度も応答がありません。", "Never heard from.")
    age = now_s - beat.beat_at
    if beat.stopped:
        return Finding(source, "process", Light.RED, "停止しています。", "Stopped.")
    if age > silent_after_s:
        return Finding(
            source,
            "process",
            Light.RED,
            f"{age:.0f}秒間応答がありません。電源とネットワークを確認してください。",
            f"Silent for {age:.0f} s: check its power and network.",
        )
    if beat.loop_at is not None and beat.beat_at - beat.loop_at > LOOP_STUCK_S:
        return Finding(
            source, "process", Light.RED, "画面が止まっています（再起動されます）。", "Screen frozen (being restarted)."
        )
    system = beat.system
    if system.throttled is not None and system.throttled & UNDER_VOLTAGE_NOW:
        return Finding(
            source,
            "process",
            Light.YELLOW,
            "電源の電圧が足りません。電源アダプターを確認してください。",
            "Under-voltage: check the power supply.",
        )
    if system.soc_temp_c is not None and system.soc_temp_c >= HOT_C:
        return Finding(
            source,
            "process",
            Light.YELLOW,
            f"本体が高温です（{system.soc_temp_c:.0f}℃）。",
            f"Running hot ({system.soc_temp_c:.0f} °C).",
        )
    if system.disk_free_bytes is not None and system.disk_free_bytes < DISK_LOW_BYTES:
        return Finding(source, "process", Light.YELLOW, "記憶領域の空きが少なくなっています。", "Disk nearly full.")
    if beat.out_of_service:
        return Finding(source, "process", Light.YELLOW, "休止中です（スタッフが停止）。", "Out of service (by staff).")
    return Finding(source, "process", Light.GREEN, "動作中です。", "Running.")


def judge(beat: Beat | None, source: str, now_s: float, silent_after_s: float = SILENT_AFTER_S) -> list[Finding]:
    """Everything about one process: itself first, then each device it reported. A process that
    is silent or stopped has devices nobody can vouch for: only the process finding is given."""
    process = judge_process(beat, source, now_s, silent_after_s)
    if beat is None or (process.light is Light.RED and process.en.startswith(("Silent", "Stopped", "Never"))):
        return [process]
    return [process, *(judge_device(source, d) for d in beat.devices)]


def worst(findings: list[Finding]) -> Light:
    lights = {f.light for f in findings}
    return Light.RED if Light.RED in lights else Light.YELLOW if Light.YELLOW in lights else Light.GREEN
