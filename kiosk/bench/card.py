"""Card pre-check benchmark, through the real PC/SC stack: pyscard -> pcscd -> vpcd -> the card emulator.

`card.precheck_ms` is the median time from "a card is present" to "every pre-check fact is known"
(connect, all commands, certificate checks) over repeated reads of an extended-length card;
`card.precheck_apdus` / `card.precheck_apdus_short` count the commands of one full pre-check of an
extended-length and of a short-APDU-only card. On a real contactless reader each command costs tens
of milliseconds, so the count is the figure that matters most there. `card.watcher_idle_cpu_percent`
is what the driver's presence watcher costs while nothing happens (the appliance idles ten hours a day).
"""

from __future__ import annotations

import statistics
import time

from drivers.card.emulator.pcscd import VpcdEndpoint
from drivers.card.emulator.vpcd import VirtualCard
from drivers.card.pcsc import PcscCardReader, wait_for
from drivers.card.settings import ReaderConfig
from drivers.interfaces import CardPresence

READS = 40
WATCH_S = 10.0


def measure() -> dict[str, float]:
    endpoint = VpcdEndpoint()
    card = VirtualCard(endpoint.port)
    reader = PcscCardReader(ReaderConfig(name_match=endpoint.reader_name))
    try:
        counts: dict[str, int] = {}
        timings: list[float] = []
        for name in ("short-apdu-only", "extended-length"):
            if reader.presence is CardPresence.PRESENT:
                card.remove()
                wait_for(reader, CardPresence.ABSENT)
            card.place(name)
            if not wait_for(reader, CardPresence.PRESENT):
                raise RuntimeError(f"pcscd did not see the emulated card {name}")
            counts[name] = len(reader.read().apdus)
        for _ in range(READS):
            start = time.perf_counter_ns()
            reader.read()
            timings.append((time.perf_counter_ns() - start) / 1e6)
        watcher_cpu = _watcher_idle_cpu_percent(reader)
    finally:
        reader.close()
        card.close()
        endpoint.close()
    return {
        "card.precheck_ms": round(statistics.median(timings), 2),
        "card.precheck_apdus": counts["extended-length"],
        "card.precheck_apdus_short": counts["short-apdu-only"],
        "card.watcher_idle_cpu_percent": round(watcher_cpu, 3),
    }


def _watcher_idle_cpu_percent(reader: PcscCardReader) -> float:
    """CPU of the driver's watcher thread alone, with a card lying on the reader and nothing happening
    (the emulator answering pcscd's presence polls runs in this process too, so the process total
    would not say what the driver costs)."""
    clock = time.pthread_getcpuclockid(reader.watcher_ident)
    cpu, start = time.clock_gettime(clock), time.monotonic()
    time.sleep(WATCH_S)
    return 100 * (time.clock_gettime(clock) - cpu) / (time.monotonic() - start)
