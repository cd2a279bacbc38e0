"""The site-config loader: the shipped Gunma config loads, and every broken config is refused with every
problem named by its dotted path. Broken configs are the shipped text with one small edit, so each test
shows exactly what it breaks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from kiosk.domain.model import HoldingStatus, LectureClass, Procedure
from kiosk.errors import ConfigError
from kiosk.site.load import MAX_CONFIG_BYTES, load_site_config

REPO = Path(__file__).resolve().parents[3]
SHIPPED = REPO / "config" / "site.toml"


def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def edited(old: str, new: str, text: str | None = None) -> str:
    text = shipped_text() if text is None else text
    assert text.count(old) == 1, f"{old!r} must occur exactly once in the shipped config"
    return text.replace(old, new)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_site_config(path)
    return info.value.problems


def paths_of(problems: list[str]) -> set[str]:
    return {problem.split(": ", 1)[0] for problem in problems}


# --- the shipped config ----------------------------------------------------------------------------


def test_shipped_config_loads_from_its_folder_with_every_procedure() -> None:
    config = load_site_config(REPO / "config")

    assert set(config.procedures) == set(Procedure)
    assert config.source == SHIPPED.resolve()
    assert config.site.languages == ("ja", "ja-easy", "en", "pt-BR", "vi", "zh-Hans")
    assert config.site.business_day_reset == time(5, 0)


def test_r25_shipped_config_marks_only_counter_13_as_official() -> None:
    config = load_site_config(SHIPPED)

    official = {counter.number for counter in config.counters.values() if not counter.example}
    assert official == {"13"}
    assert config.counter_for(Procedure.MYNA_SERVICE).number == "13"
    assert config.group_for(Procedure.MYNA_SERVICE).prefix == "M"


def test_shipped_config_myna_service_windows_are_official_and_others_examples() -> None:
    config = load_site_config(SHIPPED)

    myna = config.procedures[Procedure.MYNA_SERVICE].windows
    assert [(w.start, w.end, w.example) for w in myna] == [
        (time(8, 30), time(10, 0), False),
        (time(13, 0), time(14, 30), False),
    ]
    others = [w for p, c in config.procedures.items() if p is not Procedure.MYNA_SERVICE for w in c.windows]
    assert others and all(w.example for w in others)
    assert config.procedures[Procedure.ENQUIRY].windows == ()


def test_shipped_config_fees_follow_fees_md() -> None:
    fees = load_site_config(SHIPPED).fees

    assert fees.procedure[Procedure.RENEWAL][HoldingStatus.MYNA_ONLY].yen == 2100
    reissue = fees.procedure[Procedure.REISSUE][HoldingStatus.LICENSE_ONLY]
    assert (reissue.yen, reissue.confirmed) == (2600, False)  # Fukuoka's figure
    assert fees.procedure[Procedure.DRIVING_RECORD][None].yen == 1100
    assert fees.procedure[Procedure.SURRENDER][None].yen == 0  # 返納 itself: no fee
    assert Procedure.ENQUIRY not in fees.procedure
    assert set(fees.lecture_online) == {LectureClass.EXCELLENT, LectureClass.GENERAL}
    assert not fees.lecture_in_person[LectureClass.VIOLATION].confirmed


def test_data_dir_is_resolved_against_the_config_files_folder(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    config = load_site_config(write(folder, shipped_text()))

    assert config.storage.data_dir == (tmp_path / ".data").resolve()


# --- broken configs --------------------------------------------------------------------------------


def test_unknown_top_level_table_is_named(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, shipped_text() + "\n[extra_table]\nx = 1\n"))

    assert len(problems) == 1
    assert problems[0].startswith("extra_table: unknown key (allowed: site, groups, counters,")


def test_unknown_key_inside_a_counter_is_named_with_its_dotted_path(tmp_path: Path) -> None:
    text = edited('number = "13"\n', 'number = "13"\ncolour = "red"\n')

    assert problems_of(write(tmp_path, text)) == [
        "counters.c13.colour: unknown key (allowed: number, name, floor, group, example, serves)"
    ]


def test_every_missing_language_of_a_text_is_named(tmp_path: Path) -> None:
    text = edited('vi = "Thẻ My Number"\n', "")
    text = edited('zh-Hans = "个人编号卡"\n', "", text)
    text = edited('pt-BR = "Centro de Trânsito de Gunma"\n', "", text)

    assert sorted(problems_of(write(tmp_path, text))) == [
        'bring_items.myna_card.label: missing language "vi"',
        'bring_items.myna_card.label: missing language "zh-Hans"',
        'site.name: missing language "pt-BR"',
    ]


def test_a_language_the_kiosk_has_no_words_for_is_refused(tmp_path: Path) -> None:
    text = edited('"vi", "zh-Hans"]', '"vi", "zh-Hans", "ko"]')

    problems = problems_of(write(tmp_path, text))
    assert (
        'site.languages[6]: the kiosk has no words in "ko" (it speaks ja, ja-easy, en, pt-BR, vi, zh-Hans)' in problems
    )


def test_independent_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    text = edited('timezone = "Asia/Tokyo"', 'timezone = "Asia/Tokio"')
    text = edited('counter = "c13"', 'counter = "c99"', text)
    text = edited('prefix = "R"', "prefix = 7", text)
    text = edited('data_dir = "../.data"', 'data_dir = "../.data"\nsize = 3', text)

    assert paths_of(problems_of(write(tmp_path, text))) >= {
        "site.timezone",
        "procedures.myna_service.counter",
        "groups.renewal.prefix",
        "storage.size",
    }


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            'counter = "c13"',
            'counter = "c99"',
            'procedures.myna_service.counter: unknown counter "c99" (known: c13, c1,',
            id="procedure-names-unknown-counter",
        ),
        pytest.param(
            'en = "My Number card licence applications"\n',
            "",
            'counters.c13.name: missing language "en"',
            id="missing-language",
        ),
        pytest.param(
            'business_day_reset = "05:00"',
            'business_day_reset = "5 am"',
            'site.business_day_reset: "5 am" is not a time',
            id="bad-time",
        ),
        pytest.param(
            'start = "13:00"\nend = "14:30"',
            'start = "14:30"\nend = "13:00"',
            "procedures.myna_service.windows[1]: start 14:30 must be before end 13:00",
            id="window-start-after-end",
        ),
        pytest.param(
            'start = "08:30"\nend = "09:10"',
            'start = "09:10"\nend = "09:10"',
            "procedures.renewal.windows[2]: start 09:10 must be before end 09:10",
            id="window-start-equals-end",
        ),
        pytest.param(
            'timezone = "Asia/Tokyo"',
            'timezone = "Asia/Tokio"',
            'site.timezone: unknown time zone "Asia/Tokio"',
            id="bad-timezone",
        ),
        pytest.param(
            'any = { yen = 1100, confirmed = true, source = "OFFICIAL',
            'any = { confirmed = true, source = "OFFICIAL',
            "fees.driving_record.any.confirmed: a fee with no yen cannot be confirmed",
            id="confirmed-fee-without-yen",
        ),
        pytest.param(
            '[procedures.enquiry]\ncounter = "c20"\nwindows = []  # always open\n'
            "bring = []\nbring_current_cards = false\n",
            "",
            "procedures.enquiry: missing (every procedure must be configured)",
            id="procedure-left-out",
        ),
        pytest.param(
            '[groups.general]\nprefix = "G"\nfirst_number = 1\n',
            '[groups.general]\nprefix = "G"\nfirst_number = 100000000000000000000\n',
            "groups.general.first_number: must be at most 9999, got 100000000000000000000",
            id="group-first-number-past-any-label",
        ),
        pytest.param(
            'prefix = "G"\nfirst_number = 1\nlast_number = 999',
            'prefix = "G"\nfirst_number = 1\nlast_number = 10000',
            "groups.general.last_number: must be at most 9999, got 10000",
            id="group-five-digit-numbers-reprint-cannot-read",
        ),
        pytest.param(
            '[groups.general]\nprefix = "G"\nfirst_number = 1\n',
            '[groups.general]\nprefix = "G"\nfirst_number = 1000\n',
            "groups.general: first_number 1000 is after last_number 999",
            id="group-range-reversed",
        ),
        pytest.param(
            'weekdays = ["mon", "tue", "wed", "thu", "fri"]\nstart = "08:30"\nend = "10:00"',
            'weekdays = ["mon", "tues"]\nstart = "08:30"\nend = "10:00"',
            'procedures.myna_service.windows[0].weekdays[1]: unknown weekday "tues"',
            id="bad-weekday",
        ),
        pytest.param(
            'lecture_classes = ["violation", "first"]\nexample = true\n\n[[procedures.renewal.windows]]',
            'lecture_classes = ["violation", "novice"]\nexample = true\n\n[[procedures.renewal.windows]]',
            'procedures.renewal.windows[2].lecture_classes[1]: unknown lecture class "novice"',
            id="bad-lecture-class",
        ),
        pytest.param(
            'bring = ["fee_cash"]\nbring_current_cards = true  # the new',
            'bring = ["fee_cash", "umbrella"]\nbring_current_cards = true  # the new',
            'procedures.re_record.bring[1]: unknown bring item "umbrella"',
            id="unknown-bring-item",
        ),
        pytest.param(
            '[bring_items.myna_card.label]\nja = "マイナンバーカード"\nja-easy = "マイナンバーカード"\n'
            'en = "My Number card"\npt-BR = "Cartão My Number"\nvi = "Thẻ My Number"\nzh-Hans = "个人编号卡"\n',
            "",
            "bring_items.myna_card: missing",
            id="card-bring-item-missing",
        ),
        pytest.param(
            'default_language = "ja"',
            'default_language = "fr"',
            'site.default_language: unknown language "fr" (known: ja, ja-easy, en, pt-BR, vi, zh-Hans)',
            id="default-language-not-offered",
        ),
        pytest.param(
            "idle_timeout_s = 90",
            "idle_timeout_s = 5",
            "site.idle_timeout_s: must be at least 15, got 5",
            id="idle-timeout-out-of-range",
        ),
        pytest.param(
            "closed_dates = []",
            'closed_dates = ["2025-12-29"]',
            "site.closed_dates[0]: must be a date, got a string",
            id="closed-date-quoted",
        ),
        pytest.param(
            "idle_timeout_s = 90",
            "idle_timeout_s = 90.0",
            "site.idle_timeout_s: must be an integer, got a float",
            id="wrong-type",
        ),
        pytest.param(
            'counter = "c20"\nwindows = []  # always open\nbring = []\nbring_current_cards = false',
            'counter = "c20"\nwindows = []  # always open\nbring = []\nbring_current_cards = 0',
            "procedures.enquiry.bring_current_cards: must be a boolean, got an integer",
            id="integer-is-not-a-boolean",
        ),
        pytest.param(
            "idle_timeout_s = 90",
            "idle_timeout_s = true",
            "site.idle_timeout_s: must be an integer, got a boolean",
            id="boolean-is-not-an-integer",
        ),
    ],
)
def test_broken_config_is_refused_with_the_problem_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems = problems_of(write(tmp_path, edited(old, new)))

    assert [p for p in problems if p.startswith(expected)], problems


def test_missing_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_site_config(tmp_path)  # a folder without site.toml

    assert info.value.source == str(tmp_path / "site.toml")
    assert info.value.problems == ["file not found"]


def test_invalid_toml_is_refused_with_the_line(tmp_path: Path) -> None:
    text = edited('kiosk_id = "lobby-1"', 'kiosk_id = "lobby-1')
    line = text.splitlines().index('kiosk_id = "lobby-1') + 1

    problems = problems_of(write(tmp_path, text))

    assert len(problems) == 1
    assert problems[0].startswith("invalid TOML:")
    assert f"line {line}," in problems[0]


def test_a_nul_byte_in_the_path_is_a_config_error_not_a_traceback() -> None:
    with pytest.raises(ConfigError) as info:
        load_site_config("config\0/site.toml")
    assert info.value.problems == ["the path holds a NUL byte"]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "site.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError) as info:
        load_site_config(fifo)  # opening it would block until someone writes
    assert info.value.problems == ["not a regular file"]


def test_an_endless_device_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        load_site_config("/dev/zero")
    assert info.value.problems == ["not a regular file"]


def test_a_file_far_larger_than_any_site_config_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, shipped_text() + "#" * MAX_CONFIG_BYTES)
    with pytest.raises(ConfigError) as info:
        load_site_config(path)
    assert len(info.value.problems) == 1 and info.value.problems[0].startswith("larger than")


def test_deeply_nested_toml_is_a_config_error_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "a = " + "[" * 20000 + "]" * 20000 + "\n")
    with pytest.raises(ConfigError) as info:
        load_site_config(path)
    assert info.value.problems == ["invalid TOML: nested too deeply"]


# --- the command -----------------------------------------------------------------------------------


def run_check_config(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", path],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_check_config_command_accepts_the_shipped_config() -> None:
    result = run_check_config("config")

    assert result.returncode == 0, result.stderr
    assert "OK (12 procedures" in result.stdout


@pytest.mark.slow
def test_check_config_command_refuses_an_unknown_table(tmp_path: Path) -> None:
    path = write(tmp_path, shipped_text() + "\n[extra_table]\nx = 1\n")

    result = run_check_config(str(path))

    assert result.returncode == 2
    assert "extra_table: unknown key" in result.stderr


# --- [reader] ----------------------------------------------------------------------------------------


def test_shipped_reader_settings_install_no_trust_anchors() -> None:
    reader = load_site_config(REPO / "config").reader

    assert reader.trust_anchors is None
    assert reader.name_match == ""
    assert reader.free_area_needed_bytes > 0


def test_trust_anchor_folder_is_resolved_against_the_config_files_folder(tmp_path: Path) -> None:
    (tmp_path / "anchors").mkdir()
    text = edited('trust_anchors = ""', 'trust_anchors = "anchors"')
    text = text.replace('data_dir = "../.data"', f'data_dir = "{tmp_path}"')

    assert load_site_config(write(tmp_path, text)).reader.trust_anchors == (tmp_path / "anchors").resolve()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("poll_interval_ms = 1000", "poll_interval_ms = 5", "reader.poll_interval_ms: must be at least 50"),
        ("poll_interval_ms = 1000", 'poll_interval_ms = "fast"', "reader.poll_interval_ms:"),
        ('name_match = ""', "name_match = 3", "reader.name_match:"),
        ('trust_anchors = ""', 'trust_anchors = "no-such-folder"', "reader.trust_anchors: folder"),
        ("free_area_needed_bytes = 4096", "free_area_needed_bytes = 0", "reader.free_area_needed_bytes:"),
        ("free_area_needed_bytes = 4096", "free_area_needed_bytes = 4096\nbaudrate = 9600", "reader.baudrate:"),
    ],
)
def test_broken_reader_settings_are_refused_with_their_path(tmp_path: Path, old: str, new: str, expected: str) -> None:
    problems = problems_of(write(tmp_path, edited(old, new)))

    assert [p for p in problems if p.startswith(expected)], problems


def test_missing_reader_table_is_named(tmp_path: Path) -> None:
    text = shipped_text()
    problems = problems_of(write(tmp_path, text[: text.index("[reader]")]))

    assert [p for p in problems if p.startswith("reader")], problems


def test_reader_backend_must_be_pcsc_or_sim(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, edited('backend = "pcsc"', 'backend = "usb"')))

    assert [p for p in problems if p.startswith('reader.backend: unknown reader backend "usb"')], problems


# --- calling ---------------------------------------------------------------------------------------


def test_shipped_config_has_calling_rules_and_each_counter_serves_its_own_group() -> None:
    from kiosk.site.model import CallingConfig, GroupShare

    config = load_site_config(SHIPPED)

    assert config.calling == CallingConfig(
        recalls_before_no_show=2,
        transfer_keeps_place=True,
        same_press_window_s=2.0,
        recent_calls=7,
        stats_min_samples=5,
    )
    assert config.counters["c13"].shares == (GroupShare("myna_service", 1),)


def test_a_counter_may_serve_several_groups_with_weights_in_the_order_given(tmp_path: Path) -> None:
    from kiosk.site.model import GroupShare

    text = edited(
        'group = "myna_service"\n', 'group = "myna_service"\nserves = { myna_record = 1, myna_service = 3 }\n'
    )

    config = load_site_config(write(tmp_path, text))

    assert config.counters["c13"].shares == (GroupShare("myna_record", 1), GroupShare("myna_service", 3))


@pytest.mark.parametrize(
    ("serves", "problem"),
    [
        ("{ nowhere = 1 }", 'counters.c13.serves.nowhere: unknown group "nowhere"'),
        ("{ myna_service = 0 }", "counters.c13.serves.myna_service: must be at least 1, got 0"),
        ("{ myna_service = 17 }", "counters.c13.serves.myna_service: must be at most 16, got 17"),
        ('{ myna_service = "2" }', "counters.c13.serves.myna_service: must be an integer, got a string"),
        ("{}", "counters.c13.serves: must name at least one group"),
        ('"myna_service"', "counters.c13.serves: must be a table, got a string"),
    ],
)
def test_a_bad_serves_is_named_with_its_dotted_path(tmp_path: Path, serves: str, problem: str) -> None:
    text = edited('group = "myna_service"\n', f'group = "myna_service"\nserves = {serves}\n')

    problems = problems_of(write(tmp_path, text))

    assert any(p.startswith(problem) for p in problems), problems


def test_a_group_no_counter_serves_is_refused(tmp_path: Path) -> None:
    text = edited('group = "myna_service"\n', 'group = "myna_service"\nserves = { myna_record = 1 }\n')

    assert problems_of(write(tmp_path, text)) == [
        'counters.c13.group: no counter serves group "myna_service" (add it to a counter\'s serves)'
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "recalls_before_no_show = 2",
            "recalls_before_no_show = -1",
            "calling.recalls_before_no_show: must be at least 0",
        ),
        (
            "recalls_before_no_show = 2",
            "recalls_before_no_show = 11",
            "calling.recalls_before_no_show: must be at most 10",
        ),
        (
            "transfer_keeps_place = true",
            'transfer_keeps_place = "yes"',
            "calling.transfer_keeps_place: must be a boolean",
        ),
        ("transfer_keeps_place = true", "", "calling.transfer_keeps_place: missing"),
        (
            "same_press_window_s = 2",
            "same_press_window_s = 31",
            "calling.same_press_window_s: must be between 0 and 30",
        ),
        ("recent_calls = 7", "recent_calls = 0", "calling.recent_calls: must be at least 1"),
        ("stats_min_samples = 5", "stats_min_samples = 5\ncolour = 1", "calling.colour: unknown key"),
    ],
)
def test_a_bad_calling_value_is_named_with_its_dotted_path(tmp_path: Path, old: str, new: str, problem: str) -> None:
    problems = problems_of(write(tmp_path, edited(old, new)))

    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_calling_is_required(tmp_path: Path) -> None:
    text = shipped_text()
    start = text.index("[calling]")
    end = text.index("[storage]")
    problems = problems_of(write(tmp_path, text[:start] + text[end:]))

    assert problems == ["calling: missing"]
