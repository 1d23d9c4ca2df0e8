"""The administrative requests the hub's operators signed (`hub_operator_requests`), by nonce:
a nonce is accepted once, and the rows record who asked the hub what, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from article6.store.interop_schema import hub_operator_requests


def record(connection: Connection, **values: Any) -> bool:
    """Record a request by its nonce; False when the nonce was used before. (A concurrent
    request with the same nonce fails on the primary key instead: IntegrityError.)"""
    seen = connection.execute(
        select(hub_operator_requests.c.nonce).where(
            hub_operator_requests.c.nonce == values["nonce"]
        )
    ).first()
    if seen is not None:
        return False
    connection.execute(hub_operator_requests.insert().values(**values))
    return True
