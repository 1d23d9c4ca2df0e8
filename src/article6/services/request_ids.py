"""The id of the request a command runs for, carried from the HTTP door to the journal entry
the command appends and to every log line written meanwhile: an operator following one request
from the proxy's log to the ledger's history needs one key across all three."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("article6_request_id", default=None)
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,64}")
"""A request id taken from the client (a proxy's `X-Request-ID`): long enough to be unique,
short and plain enough that it cannot forge a log line or bloat the journal."""


def request_id_for(presented: str | None) -> str:
    """The client's id when it is a plain token, else a new one."""
    if presented is not None and ACCEPTED.fullmatch(presented):
        return presented
    return uuid.uuid4().hex


def current() -> str | None:
    return REQUEST_ID.get()
