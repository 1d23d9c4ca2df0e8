"""A journal checkpoint: what is signed is the canonical JSON of registry, entry, hash and
time; a checkpoint survives its file line unchanged; and the hub accepts the next one, takes a
repeat as a duplicate, and refuses one that goes backwards or forks the chain."""

from __future__ import annotations

import base64
import hashlib
import json

from article6.domain.checkpoints import Checkpoint, Verdict, fingerprint, judge, signed_material

KEY = base64.b64encode(bytes(range(32))).decode()


def checkpoint(seq: int = 7, digest: str = "ab" * 32, registry: str | None = "XXA01") -> Checkpoint:
    return Checkpoint(registry, seq, digest, "2026-03-01T12:00:00+00:00", KEY, "c2lnbmVk")


def test_the_signed_material_is_canonical_json_of_registry_entry_hash_and_time():
    assert signed_material("XXA01", 7, "ab", "2026-03-01T12:00:00+00:00") == (
        b'{"at":"2026-03-01T12:00:00+00:00","hash":"ab","registry":"XXA01","seq":7}'
    )
    assert checkpoint().material() == signed_material(
        "XXA01", 7, "ab" * 32, "2026-03-01T12:00:00+00:00"
    )


def test_a_key_fingerprint_is_sha256_of_the_raw_key_cut_to_32_hex_digits():
    expected = "SHA256:" + hashlib.sha256(bytes(range(32))).hexdigest()[:32]
    assert fingerprint(KEY) == expected == checkpoint().fingerprint
    assert fingerprint("not base64!") == (
        "SHA256:" + hashlib.sha256(b"not base64!").hexdigest()[:32]
    )
    # strictly base64 or taken as text: "AAAA!" is not "AAAA" with a stray character
    assert fingerprint("AAAA!") == "SHA256:" + hashlib.sha256(b"AAAA!").hexdigest()[:32]


def test_a_checkpoint_is_one_sorted_compact_json_line_with_its_fingerprint():
    line = checkpoint().line()
    assert " " not in line and "\n" not in line
    value = json.loads(line)
    assert list(value) == sorted(value)
    assert value == {
        "registry": "XXA01",
        "seq": 7,
        "hash": "ab" * 32,
        "at": "2026-03-01T12:00:00+00:00",
        "public_key": KEY,
        "signature": "c2lnbmVk",
        "algorithm": "Ed25519",
        "key_fingerprint": fingerprint(KEY),
    }


def test_a_checkpoint_read_back_from_its_line_is_the_same_checkpoint():
    for original in (checkpoint(), checkpoint(registry=None)):
        assert Checkpoint.from_line(original.line()) == original


def test_a_line_keeps_the_algorithm_it_names():
    other = Checkpoint("XXA01", 7, "ab", "2026-03-01T12:00:00+00:00", KEY, "c2ln", "Ed448")
    assert Checkpoint.from_line(other.line()).algorithm == "Ed448"


def test_a_line_without_an_algorithm_is_ed25519():
    value = json.loads(checkpoint().line())
    del value["algorithm"], value["registry"]
    read = Checkpoint.from_line(json.dumps(value))
    assert (read.algorithm, read.registry) == ("Ed25519", None)


def test_a_checkpoint_labels_itself_by_entry_time_and_key():
    assert checkpoint().label() == (
        f"checkpoint 7 of 2026-03-01T12:00:00+00:00 (key {fingerprint(KEY)})"
    )


def test_the_next_checkpoint_is_accepted():
    assert judge(checkpoint(seq=8), [], latest_seq=7) == (Verdict.ACCEPTED, None)
    assert judge(checkpoint(seq=7), [], latest_seq=7) == (Verdict.ACCEPTED, None)
    assert judge(checkpoint(seq=1), [], latest_seq=None) == (Verdict.ACCEPTED, None)


def test_the_same_entry_with_the_same_hash_is_a_duplicate():
    assert judge(checkpoint(), ["ab" * 32], latest_seq=9) == (Verdict.DUPLICATE, None)


def test_the_same_entry_with_another_hash_is_a_fork():
    verdict, reason = judge(checkpoint(digest="cd" * 32), ["ab" * 32], latest_seq=7)
    assert verdict is Verdict.FORK
    assert reason == f"entry 7 was checkpointed with hash {'ab' * 32}, now {'cd' * 32}"


def test_an_entry_before_the_latest_checkpointed_one_goes_backwards():
    verdict, reason = judge(checkpoint(seq=6), [], latest_seq=7)
    assert verdict is Verdict.BACKWARDS
    assert reason == "entry 6 comes after a checkpoint of entry 7"


def test_only_accepted_and_duplicate_checkpoints_are_not_refused():
    assert {v for v in Verdict if not v.refused} == {Verdict.ACCEPTED, Verdict.DUPLICATE}
