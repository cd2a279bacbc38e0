from __future__ import annotations

from pathlib import Path

from kiosk.bench import image


def test_the_figure_the_image_test_recorded_is_what_the_bench_reports(tmp_path: Path) -> None:
    path = tmp_path / "bench" / "image.json"
    image.record(312.46, path)
    assert image.measure(path) == {"image.ci_build_s": 312.5}


def test_no_recorded_figure_means_no_figure_never_a_made_up_one(tmp_path: Path) -> None:
    assert image.measure(tmp_path / "absent.json") == {}
