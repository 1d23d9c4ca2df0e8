"""A signed checkpoint of the journal: the registry's statement, under its Ed25519 key, that
its journal's entry `seq` has hash `hash` at time `at`.

Kept outside the database (a file the operator keeps apart, and the hub), it fixes the chain:
whoever rewrites an entry and recomputes every later hash and the head in the database cannot
make the chain pass through the earlier checkpoints again, nor sign new ones that fit without
the registry's key. What is signed is the canonical JSON of registry, seq, hash and time.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature

from article6.domain.keys import KeyPair, public_key
from article6.domain.messages import JournalCheckpoint


@dataclass(frozen=True)
class Checkpoint:
    registry: str | None  # the registry's protocol code; None for a registry without one
    seq: int
    hash: str
    at: str  # ISO 8601, UTC
    public_key: str  # base64 of the 32 raw bytes of the Ed25519 public key
    signature: str  # base64 of the Ed25519 signature over `material()`
    algorithm: str = "Ed25519"

    def material(self) -> bytes:
        return signed_material(self.registry, self.seq, self.hash, self.at)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def line(self) -> str:
        """One JSON line of the append-only checkpoint file."""
        return json.dumps(
            {**asdict(self), "key_fingerprint": self.fingerprint},
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        value: dict[str, Any] = json.loads(line)
        return cls(
            registry=value.get("registry"),
            seq=int(value["seq"]),
            hash=str(value["hash"]),
            at=str(value["at"]),
            public_key=str(value["public_key"]),
            signature=str(value["signature"]),
            algorithm=str(value.get("algorithm", "Ed25519")),
        )

    def label(self) -> str:
        return f"checkpoint {self.seq} of {self.at} (key {self.fingerprint})"


def signed_material(registry: str | None, seq: int, digest: str, at: str) -> bytes:
    return json.dumps(
        {"registry": registry, "seq": seq, "hash": digest, "at": at},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def fingerprint(public_key: str) -> str:
    """SHA-256 of the raw public key, as `SHA256:` and the first 32 hex digits."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError:
        raw = public_key.encode()
    return "SHA256:" + hashlib.sha256(raw).hexdigest()[:32]


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    BACKWARDS = "backwards"
    FORK = "fork"
    BAD_SIGNATURE = "bad_signature"

    @property
    def refused(self) -> bool:
        return self not in (Verdict.ACCEPTED, Verdict.DUPLICATE)


def judge(
    checkpoint: Checkpoint, hashes_at_seq: list[str], latest_seq: int | None
) -> tuple[Verdict, str | None]:
    """The hub's verdict on a registry's next checkpoint (its signature already checked),
    given the hashes it holds for that entry and the latest entry checkpointed so far."""
    if any(known != checkpoint.hash for known in hashes_at_seq):
        return Verdict.FORK, (
            f"entry {checkpoint.seq} was checkpointed with hash {hashes_at_seq[0]}, now "
            f"{checkpoint.hash}"
        )
    if hashes_at_seq:
        return Verdict.DUPLICATE, None
    if latest_seq is not None and checkpoint.seq < latest_seq:
        return Verdict.BACKWARDS, (
            f"entry {checkpoint.seq} comes after a checkpoint of entry {latest_seq}"
        )
    return Verdict.ACCEPTED, None


def sign(key: KeyPair, registry: str | None, seq: int, digest: str, at: str) -> Checkpoint:
    unsigned = Checkpoint(registry, seq, digest, at, key.public_text, "")
    return Checkpoint(registry, seq, digest, at, key.public_text, key.sign(unsigned.material()))


def signature_holds(checkpoint: Checkpoint, key_text: str) -> bool:
    """The checkpoint names `key_text` and is signed by it."""
    if checkpoint.algorithm != "Ed25519" or checkpoint.public_key != key_text:
        return False
    try:
        value = base64.b64decode(checkpoint.signature, validate=True)
        public_key(key_text).verify(value, checkpoint.material())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def message(checkpoint: Checkpoint) -> JournalCheckpoint:
    return JournalCheckpoint(
        registry_id=checkpoint.registry or "",
        seq=checkpoint.seq,
        hash=checkpoint.hash,
        signed_at=checkpoint.at,
        public_key=checkpoint.public_key,
        signature=checkpoint.signature,
    )
