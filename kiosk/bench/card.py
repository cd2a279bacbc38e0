"""Card pre-check benchmark, through the real PC/SC stack: pyscard -> pcscd -> vpcd -> the card emulator.

`card.precheck_ms` is the median time from "a card is present" to "every pre-check fact is known"
(connect, all commands, certificate checks) over repeated reads of an extended-length card;
`card.precheck_apdus` / `card.precheck_apdus_short` count the commands of one full pre-check of an
extended-length and of a short-APDU-only card. On a real contactless reader each command costs tens
of milliseconds, so the count is the figure that matters most there.
"""

from __future__ import annotations

import statistics
import time

from drivers.card.emulator.pcscd import VpcdEndpoint
from drivers.card.emulator.vpcd import VirtualCard
from drivers.card.pcsc import PcscCardReader, wait_for
from drivers.interfaces import CardPresence
from kiosk.site.model import ReaderConfig

READS = 40


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
    finally:
        reader.close()
        card.close()
        endpoint.close()
    return {
        "card.precheck_ms": round(statistics.median(timings), 2),
        "card.precheck_apdus": counts["extended-length"],
        "card.precheck_apdus_short": counts["short-apdu-only"],
    }
