"""`python -m kiosk.bench --out PATH`: run every benchmark and write one flat JSON object, figure -> number.

Each benchmark module offers `measure() -> dict[str, float]` with figure names prefixed by its own
name ("queue.issue_p99_ms"). To add one, import it and append its `measure` to FIGURES.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from kiosk.bench import call, card, health, image, lobby, pg, printer, queue, ui, voice, wires

FIGURES: tuple[Callable[[], dict[str, float]], ...] = (
    queue.measure,
    call.measure,
    printer.measure,
    card.measure,
    ui.measure,
    lobby.measure,
    voice.measure,
    wires.measure,
    pg.measure,
    image.measure,
    health.measure,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.bench", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON figures")
    args = parser.parse_args(argv)

    results: dict[str, float] = {}
    for measure in FIGURES:
        figures = measure()
        clash = results.keys() & figures.keys()
        if clash:  # two benchmarks claiming one name would silently hide a figure
            raise ValueError(f"figure names reported twice: {sorted(clash)}")
        results.update(figures)

    text = json.dumps(results, indent=2, sort_keys=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
