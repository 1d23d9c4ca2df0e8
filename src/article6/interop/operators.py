"""Administrative requests to the hub, signed by a hub operator's key (C6108).

The hub's administrative endpoints (its directory, its transactions, reconciliation runs) act
for the secretariat, so each request is signed with an operator's Ed25519 key whose public half
the hub knows by configuration (`ARTICLE6_HUB_OPERATORS`, `article6 hub --operator`). The
signature covers the canonical JSON (`envelope.canonical`) of

    {"audience": "HUB", "method": ..., "path": ..., "body_sha256": ...,
     "operator": ..., "timestamp": ..., "nonce": ...}

sent in the headers below. The hub accepts a request once (its nonce is recorded), only within
`REQUEST_VALIDITY` of its timestamp and `CLOCK_SKEW` ahead of it. An endpoint asks for an
operator with `Depends(require_operator)`; the app says which operators it knows with
`admit_operators`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from fastapi import FastAPI, Request
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from article6.domain.checks import Check, refuse
from article6.domain.keys import KeyPair, public_key
from article6.domain.protocol import CLOCK_SKEW
from article6.domain.wording import words
from article6.interop.envelope import canonical
from article6.interop.intake import read_body
from article6.store import hub_operator_requests
from article6.store.database import unit_of_work
from article6.store.hub_operator_requests import OperatorRequest

OPERATOR = "Article6-Operator"
TIMESTAMP = "Article6-Timestamp"
NONCE = "Article6-Nonce"
SIGNATURE = "Article6-Signature"
SIGNED_HEADERS = (OPERATOR, TIMESTAMP, NONCE, SIGNATURE)
AUDIENCE = "HUB"
REQUEST_VALIDITY = timedelta(minutes=5)
MAX_BODY = 64 * 1024
"""An administrative request's body at most."""
CHALLENGE = {"WWW-Authenticate": f'{SIGNATURE} realm="article6-hub"'}


def request_material(
    method: str, target: str, body: bytes, operator: str, timestamp: str, nonce: str
) -> bytes:
    """The bytes an operator signs for one request (`target` is the path and query)."""
    return canonical(
        {
            "audience": AUDIENCE,
            "method": method.upper(),
            "path": target,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "operator": operator,
            "timestamp": timestamp,
            "nonce": nonce,
        }
    )


def operator_headers(
    key: KeyPair,
    operator: str,
    method: str,
    target: str,
    body: bytes = b"",
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign one administrative request, with a fresh nonce."""
    timestamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    nonce = uuid.uuid4().hex
    signature = key.sign(request_material(method, target, body, operator, timestamp, nonce))
    return {OPERATOR: operator, TIMESTAMP: timestamp, NONCE: nonce, SIGNATURE: signature}


def parse_operators(text: str) -> dict[str, str]:
    """`name=public_key,name=public_key` (public keys as the directory holds them)."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, key = item.partition("=")
        name, key = name.strip(), key.strip()
        if not name or len(name) > 64:
            raise ValueError(f"an operator is named NAME=PUBLIC_KEY, not {item!r}")
        public_key(key)  # a ValueError unless it is an Ed25519 public key
        found[name] = key
    return found


def operators_from_environment() -> dict[str, str]:
    return parse_operators(os.environ.get("ARTICLE6_HUB_OPERATORS", ""))


@dataclass(frozen=True)
class OperatorDoor:
    """Who may make administrative requests of the hub, and where their nonces are kept."""

    operators: Mapping[str, str]
    engine: Engine
    clock: Callable[[], datetime]

    def admit(self, method: str, target: str, body: bytes, headers: Mapping[str, str]) -> str:
        """The operator who signed this request, or C6108 (and nothing recorded)."""
        operator, timestamp, nonce, signature = (headers.get(name, "") for name in SIGNED_HEADERS)
        if not (operator and timestamp and nonce and signature):
            raise refuse(
                Check.C6108, SIGNATURE, words("sign the request with a hub operator's key")
            )
        known = self.operators.get(operator)
        if known is None:
            raise refuse(
                Check.C6108,
                OPERATOR,
                words("{operator!r} is not a hub operator", operator=operator[:64]),
            )
        try:
            value = base64.b64decode(signature, validate=True)
            material = request_material(method, target, body, operator, timestamp, nonce)
            public_key(known).verify(value, material)
        except (InvalidSignature, ValueError):
            raise refuse(
                Check.C6108, SIGNATURE, words("the signature does not match the request")
            ) from None
        now = self.clock()
        signed_at = _moment(timestamp)
        if signed_at is None or signed_at > now + CLOCK_SKEW:
            raise refuse(Check.C6108, TIMESTAMP, words("the request is not signed at a valid time"))
        if signed_at + REQUEST_VALIDITY < now:
            raise refuse(Check.C6108, TIMESTAMP, words("the request is too old; sign it again"))
        if not 16 <= len(nonce) <= 64 or not nonce.replace("-", "").isalnum():
            raise refuse(
                Check.C6108, NONCE, words("a nonce is 16 to 64 letters, digits or hyphens")
            )
        try:
            with unit_of_work(self.engine) as connection:
                request = OperatorRequest(
                    nonce=nonce,
                    operator=operator,
                    method=method.upper()[:10],
                    path=target[:300],
                    signed_at=signed_at,
                    received_at=now,
                )
                fresh = hub_operator_requests.record(connection, request)
        except IntegrityError:
            fresh = False
        if not fresh:
            raise refuse(Check.C6108, NONCE, words("this request was received before"))
        return operator


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def admit_operators(app: FastAPI, door: OperatorDoor) -> None:
    """Let `require_operator` on this app's endpoints check requests against `door`."""
    app.state.operator_door = door


async def require_operator(request: Request) -> str:
    """An endpoint's dependency: the hub operator who signed this request; otherwise C6108
    (HTTP 401). An app with no operator door admits no one."""
    door: OperatorDoor | None = getattr(request.app.state, "operator_door", None)
    body = await read_body(request, MAX_BODY)
    if door is None:
        raise refuse(Check.C6108, OPERATOR, words("this hub admits no operator"))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = {name: request.headers.get(name, "") for name in SIGNED_HEADERS}
    return await run_in_threadpool(door.admit, request.method, target, body, headers)
