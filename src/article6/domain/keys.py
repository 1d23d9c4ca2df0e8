"""A registry's Ed25519 signing key, and a published public key read back: what signs its
messages and its journal's checkpoints; and the periods in which each of its keys was current,
since a rotated key is retired, never forgotten (what it signed still verifies)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class KeyPair:
    """A registry's signing key; the public half is what the directory publishes."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_text(cls, text: str) -> KeyPair:
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        return cls(key)

    def private_text(self) -> str:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    @property
    def public_text(self) -> str:
        """The public key as base64 of its 32 raw bytes (what the directory holds)."""
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode()

    def sign(self, material: bytes) -> str:
        return base64.b64encode(self.private.sign(material)).decode()


def public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


@dataclass(frozen=True)
class KeyPeriod:
    """When a signing key was a registry's: from `valid_from` (None: from its first key) to
    `retired_at` (None: still current). Both ends count, to the second, since a checkpoint's
    time is signed in whole seconds: the second of a rotation belongs to both keys."""

    public_key: str
    valid_from: datetime | None
    retired_at: datetime | None

    def covers(self, at: datetime) -> bool:
        after = self.valid_from is None or at >= self.valid_from.replace(microsecond=0)
        before = self.retired_at is None or at <= self.retired_at
        return after and before


def current_at(periods: list[KeyPeriod], key_text: str, at: datetime) -> bool:
    """Whether `key_text` was a current key of the registry at `at`: what a checkpoint signed
    then must be signed with, so a retired key signs nothing after its retirement."""
    return any(period.public_key == key_text and period.covers(at) for period in periods)


def rotation_time(now: datetime) -> datetime:
    """The moment a new key takes over, in whole seconds like the checkpoints it signs."""
    return now.astimezone(UTC).replace(microsecond=0)


def announcement_material(
    registry_id: str, previous_key: str, new_key: str, valid_from: str
) -> bytes:
    """What the new key signs in its announcement: who, which key it follows, from when."""
    return json.dumps(
        {
            "registry_id": registry_id,
            "previous_public_key": previous_key,
            "public_key": new_key,
            "valid_from": valid_from,
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def signed_by(key_text: str, signature: str, material: bytes) -> bool:
    """Whether `signature` (base64) is `key_text`'s Ed25519 signature of `material`."""
    try:
        public_key(key_text).verify(base64.b64decode(signature, validate=True), material)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
