"""Signed envelopes: canonical JSON and Ed25519 signatures over it.

The signature covers the canonical JSON of `{"envelope": ..., "body": ...}`: keys sorted,
no insignificant whitespace, UTF-8, integers only (the protocol carries no floating-point
numbers), so any implementation can reproduce the bytes that were signed.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from article6.domain.checks import Check, refuse
from article6.domain.keys import KeyPair, public_key
from article6.domain.wording import words

ALGORITHM = "Ed25519"


def canonical(value: Any) -> bytes:
    """The bytes that are signed: sorted keys, compact separators, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def load_or_create(path: Path) -> KeyPair:
    """The key pair stored at `path`, created (readable by the owner only) at first start."""
    if path.exists():
        return KeyPair.from_text(path.read_text())
    pair = KeyPair.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(pair.private_text())
    return pair


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
        raise refuse(Check.C6003, "signature", words("the message is not signed with Ed25519"))
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
        material = canonical({"envelope": wire["envelope"], "body": wire["body"]})
        public_key(public_key_text).verify(value, material)
    except (InvalidSignature, ValueError, KeyError, TypeError):
        raise refuse(
            Check.C6003, "signature", words("the signature does not match the sender's key")
        ) from None
