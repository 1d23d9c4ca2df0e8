"""Signed envelopes: canonical JSON and Ed25519 signatures over it.

The signature covers the canonical JSON of `{"envelope": ..., "body": ...}`: keys sorted,
no insignificant whitespace, UTF-8, integers only (the protocol carries no floating-point
numbers), so any implementation can reproduce the bytes that were signed.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from article6.domain.checks import Check, refuse

ALGORITHM = "Ed25519"


def canonical(value: Any) -> bytes:
    """The bytes that are signed: sorted keys, compact separators, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


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


def load_or_create(path: Path) -> KeyPair:
    """The key pair stored at `path`, created (readable by the owner only) at first start."""
    if path.exists():
        return KeyPair.from_text(path.read_text())
    pair = KeyPair.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(pair.private_text())
    return pair


def public_key(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def seal(envelope: dict[str, Any], body: dict[str, Any], key: KeyPair) -> dict[str, Any]:
    """The wire form of a message: envelope, body and the sender's signature over both."""
    material = canonical({"envelope": envelope, "body": body})
    return {
        "envelope": envelope,
        "body": body,
        "signature": {"algorithm": ALGORITHM, "value": key.sign(material)},
    }


def verify(wire: dict[str, Any], public_key_text: str) -> None:
    """C6003 unless the signature is a valid Ed25519 signature of the envelope and body."""
    signature = wire.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        raise refuse(Check.C6003, "signature", "the message is not signed with Ed25519")
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
        material = canonical({"envelope": wire["envelope"], "body": wire["body"]})
        public_key(public_key_text).verify(value, material)
    except (InvalidSignature, ValueError, KeyError, TypeError):
        raise refuse(
            Check.C6003, "signature", "the signature does not match the sender's key"
        ) from None
