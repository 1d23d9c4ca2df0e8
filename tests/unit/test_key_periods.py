"""A signing key signs for its period only: from when it took over to when it was retired, both
counted to the second (a checkpoint's time is signed in whole seconds), and a retired key signs
nothing after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from article6.domain.keys import (
    KeyPair,
    KeyPeriod,
    announcement_material,
    current_at,
    rotation_time,
    signed_by,
)

ROTATED = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
OLD = KeyPeriod("old", None, ROTATED)
NEW = KeyPeriod("new", ROTATED, None)
SECOND = timedelta(seconds=1)


def test_the_old_key_signs_until_its_retirement_and_not_after():
    assert current_at([OLD, NEW], "old", datetime(2021, 1, 1, tzinfo=UTC))
    assert current_at([OLD, NEW], "old", ROTATED)
    assert not current_at([OLD, NEW], "old", ROTATED + SECOND)


def test_the_new_key_signs_from_the_second_it_took_over():
    assert current_at([OLD, NEW], "new", ROTATED)
    assert current_at([OLD, NEW], "new", ROTATED + timedelta(days=400))
    assert not current_at([OLD, NEW], "new", ROTATED - SECOND)
    # A key taking over within a second counts from the start of that second.
    later = KeyPeriod("new", ROTATED + timedelta(microseconds=700_000), None)
    assert later.covers(ROTATED)


def test_a_key_the_registry_never_had_signs_nothing():
    assert not current_at([OLD, NEW], "stranger", ROTATED)


def test_a_rotation_takes_over_at_a_whole_second_in_utc():
    moment = datetime(2026, 12, 2, 11, 0, 0, 999_999, tzinfo=UTC)
    assert rotation_time(moment) == datetime(2026, 12, 2, 11, 0, 0, tzinfo=UTC)


def test_the_new_key_proves_it_signed_its_own_announcement():
    old, new = KeyPair.generate(), KeyPair.generate()
    material = announcement_material("XXB01", old.public_text, new.public_text, "2026-12-02")
    proof = new.sign(material)
    assert signed_by(new.public_text, proof, material)
    assert not signed_by(old.public_text, proof, material)
    assert not signed_by(new.public_text, proof, material.replace(b"XXB01", b"XXA01"))
    assert not signed_by(new.public_text, "not base64!", material)
