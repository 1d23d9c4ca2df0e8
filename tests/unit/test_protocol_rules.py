"""The registry-to-registry protocol's pure rules: registry codes, a message's validity window,
the major version, delivery backoff, the transfer status machine, and the serial-range
arithmetic of the hub's register."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.protocol import (
    CLOCK_SKEW,
    LAST_RETRY,
    MESSAGE_VALIDITY,
    Range,
    TransferStatus,
    backoff,
    may_become,
    message_age,
    protocol_version,
    registry_code,
    uncovered,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def refusal_of(call, *args) -> Refusal:
    with pytest.raises(CommandRefused) as refused:
        call(*args)
    [refusal] = refused.value.refusals
    return refusal


@pytest.mark.parametrize("code", ["XXA01", "IR", "A64", "HUB", "X1234"])
def test_a_registry_code_is_a_capital_letter_and_one_to_four_capitals_or_digits(code):
    assert registry_code(code) == code


@pytest.mark.parametrize("code", ["X", "XXA012", "xxa01", "1XA", "XXA01\n", 42])
def test_anything_else_is_refused_c1003_on_its_field(code):
    refusal = refusal_of(registry_code, code)
    assert (refusal.check, refusal.field) == (Check.C1003, "registry")
    assert refusal.detail == f"{code!r} is not a registry code"
    assert refusal_of(registry_code, code, "envelope.sender").field == "envelope.sender"


def test_a_message_is_valid_from_the_clock_skew_ahead_to_its_validity_behind():
    message_age(NOW + CLOCK_SKEW, NOW)
    message_age(NOW - MESSAGE_VALIDITY, NOW)


def test_a_message_from_further_in_the_future_is_refused_c6005():
    sent = NOW + CLOCK_SKEW + timedelta(seconds=1)
    refusal = refusal_of(message_age, sent, NOW)
    assert (refusal.check, refusal.field) == (Check.C6005, "envelope.sent_at")
    assert refusal.detail == f"sent at {sent.isoformat()}, in the future"


def test_a_message_older_than_its_validity_is_refused_c6005_as_expired():
    sent = NOW - MESSAGE_VALIDITY - timedelta(seconds=1)
    refusal = refusal_of(message_age, sent, NOW)
    assert (refusal.check, refusal.field) == (Check.C6005, "envelope.sent_at")
    assert refusal.detail == f"sent at {sent.isoformat()}; the message expired"


def test_any_minor_version_of_the_major_one_is_understood():
    protocol_version("1.0")
    protocol_version("1.7")
    protocol_version("1")


@pytest.mark.parametrize("version", ["2.0", "0.9", "11.0", ""])
def test_another_major_version_is_refused_c6007(version):
    refusal = refusal_of(protocol_version, version)
    assert (refusal.check, refusal.field) == (Check.C6007, "envelope.version")
    assert refusal.detail == f"version {version} is not 1.x"


def test_delivery_backs_off_doubling_from_two_seconds_to_at_most_ten_minutes():
    assert [backoff(n).total_seconds() for n in range(0, 9)] == [
        2,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
    ]
    assert backoff(9) == timedelta(seconds=512)
    assert backoff(10) == LAST_RETRY
    assert backoff(1000) == LAST_RETRY


@pytest.mark.parametrize(
    ("current", "target", "moves"),
    [
        (TransferStatus.PROPOSED, TransferStatus.CHECKED, True),
        (TransferStatus.PROPOSED, TransferStatus.ACCEPTED, True),
        (TransferStatus.PROPOSED, TransferStatus.COMPLETED, True),
        (TransferStatus.CHECKED, TransferStatus.ACCEPTED, True),
        (TransferStatus.CHECKED, TransferStatus.REJECTED, True),
        (TransferStatus.ACCEPTED, TransferStatus.TERMINATED, True),
        (TransferStatus.CHECKED, TransferStatus.PROPOSED, False),
        (TransferStatus.ACCEPTED, TransferStatus.CHECKED, False),
        (TransferStatus.PROPOSED, TransferStatus.PROPOSED, False),
        (TransferStatus.COMPLETED, TransferStatus.CANCELLED, False),
        (TransferStatus.REJECTED, TransferStatus.COMPLETED, False),
    ],
)
def test_a_status_notification_only_moves_a_transfer_forward(current, target, moves):
    assert may_become(current, target) is moves


def test_the_final_statuses_are_completed_rejected_terminated_and_cancelled():
    assert {s for s in TransferStatus if s.final} == {
        TransferStatus.COMPLETED,
        TransferStatus.REJECTED,
        TransferStatus.TERMINATED,
        TransferStatus.CANCELLED,
    }


def test_a_range_counts_both_its_ends():
    assert Range("XXA01", 10, 19).quantity == 10
    assert Range("XXA01", 7, 7).quantity == 1


@pytest.mark.parametrize(
    ("other", "overlaps"),
    [
        (Range("XXA01", 1, 10), True),  # touches the first serial
        (Range("XXA01", 20, 30), True),  # touches the last serial
        (Range("XXA01", 12, 15), True),  # inside
        (Range("XXA01", 1, 9), False),  # just below
        (Range("XXA01", 21, 30), False),  # just above
        (Range("XXB01", 10, 20), False),  # same serials, another registry
    ],
)
def test_ranges_overlap_when_they_share_a_serial_of_one_registry(other, overlaps):
    held = Range("XXA01", 10, 20)
    assert held.overlaps(other) is overlaps
    assert other.overlaps(held) is overlaps


def test_what_is_left_of_a_range_outside_another():
    held = Range("XXA01", 10, 20)
    assert held.minus(Range("XXA01", 13, 15)) == [Range("XXA01", 10, 12), Range("XXA01", 16, 20)]
    assert held.minus(Range("XXA01", 10, 15)) == [Range("XXA01", 16, 20)]
    assert held.minus(Range("XXA01", 15, 20)) == [Range("XXA01", 10, 14)]
    assert held.minus(Range("XXA01", 1, 30)) == []
    assert held.minus(Range("XXA01", 21, 30)) == [held]
    assert held.minus(Range("XXB01", 10, 20)) == [held]


def test_the_parts_no_covering_range_contains():
    wanted = Range("XXA01", 1, 100)
    covering = [Range("XXA01", 1, 10), Range("XXA01", 51, 60), Range("XXB01", 1, 100)]
    assert uncovered(wanted, covering) == [Range("XXA01", 11, 50), Range("XXA01", 61, 100)]
    assert uncovered(wanted, [Range("XXA01", 1, 100)]) == []
    assert uncovered(wanted, []) == [wanted]
