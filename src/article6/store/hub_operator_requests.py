"""The administrative requests the hub's operators signed (`hub_operator_requests`), by nonce:
a nonce is accepted once, and the rows record who asked the hub what, and when."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from article6.store.interop_schema import hub_operator_requests


@dataclass(frozen=True)
class OperatorRequest:
    """Who of the hub's operators asked what (method and path), signed when, under which nonce."""

    nonce: str
    operator: str
    method: str
    path: str
    signed_at: datetime
    received_at: datetime


def record(connection: Connection, request: OperatorRequest) -> bool:
    """Record a request by its nonce; False when the nonce was used before. (A concurrent
    request with the same nonce fails on the primary key instead: IntegrityError.)"""
    seen = connection.execute(
        select(hub_operator_requests.c.nonce).where(hub_operator_requests.c.nonce == request.nonce)
    ).first()
    if seen is not None:
        return False
    connection.execute(hub_operator_requests.insert().values(**asdict(request)))
    return True
