"""Ticket labels: every number a group may issue prints as a label that reads back to it."""

from __future__ import annotations

import pytest

from kiosk.queue.model import MAX_NUMBER, label_of, parse_label


@pytest.mark.parametrize("prefix", ["", "M", "ABC"])
@pytest.mark.parametrize("number", [1, 12, 999, MAX_NUMBER])
def test_every_label_reads_back_to_its_prefix_and_number(prefix, number):
    label = label_of(prefix, number)
    assert len(label) <= 8  # a number board's row
    assert parse_label(label) == (prefix, number)


def test_labels_are_read_as_staff_type_them():
    assert parse_label(" m-12 ") == ("M", 12)
    assert parse_label("012") == ("", 12)


@pytest.mark.parametrize("text", ["M-", "M-12345", "ABCD-012", "M 012", "", "M-0x1"])
def test_what_is_no_label_reads_as_none(text):
    assert parse_label(text) is None


def test_the_largest_number_is_one_a_label_can_hold():
    assert parse_label(label_of("M", MAX_NUMBER + 1)) is None
