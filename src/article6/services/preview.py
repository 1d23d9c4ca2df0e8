"""A rehearsal of a command: every check runs, the receipt comes back, nothing is kept.

The web forms show "what will happen" before the user confirms. Rather than duplicate the
services' checks, the command runs through its own service against a stand-in engine whose
every unit of work is a savepoint inside one outer transaction, and the outer transaction is
rolled back. A refused rehearsal raises the same `CommandRefused` the real command would.

A request that would wait for approval is rehearsed one step further, approved by a stand-in
administrator of the Party inside the same rolled-back transaction, to say whether approval
would make it a first transfer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.transactions import TransactionStatus
from article6.services import approvals
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.views import Receipt, TransactionView

C = TypeVar("C", bound=BaseModel)
Service = Callable[[Registry, Actor, C, str | None], Receipt]


class Preview(BaseModel):
    """What a command would do now: its receipt (nothing kept), and, for a request that waits
    for approval, what approving it would record."""

    receipt: Receipt
    on_approval: TransactionView | None = None
    approval_refused: list[str] = []

    @property
    def transaction(self) -> TransactionView | None:
        return self.receipt.transaction

    @property
    def first_transfer(self) -> bool:
        """Whether the units would be first transferred (now, or once approved)."""
        done = self.on_approval or self.receipt.transaction
        return bool(done and done.first_transfer)

    @property
    def waits_for_approval(self) -> bool:
        return self.receipt.status == TransactionStatus.AWAITING_APPROVAL.value


class _Savepoint:
    """What `unit_of_work` sees as a connection: the rehearsal's connection, whose `begin`
    opens a savepoint instead of a transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def execution_options(self, **_options: Any) -> _Savepoint:
        return self

    def __enter__(self) -> _Savepoint:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def begin(self) -> Any:
        return self._connection.begin_nested()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


class _RehearsalEngine:
    """An Engine stand-in that hands every unit of work the same connection."""

    def __init__(self, engine: Engine, connection: Connection) -> None:
        self._engine = engine
        self._connection = connection

    def connect(self) -> _Savepoint:
        return _Savepoint(self._connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


@contextmanager
def rehearsal(registry: Registry) -> Iterator[Registry]:
    """A Registry whose changes are all rolled back when the block ends."""
    with registry.engine.connect() as connection:
        outer = connection.begin()
        try:
            engine = cast(Engine, _RehearsalEngine(registry.engine, connection))
            yield Registry(engine, registry.clock)
        finally:
            outer.rollback()


def preview(registry: Registry, service: Service[C], actor: Actor, command: C) -> Preview:
    """Run `service(actor, command)` and roll it back; refusals propagate unchanged."""
    with rehearsal(registry) as rehearsed:
        receipt = service(rehearsed, actor, command, None)
        result = Preview(receipt=receipt)
        if result.waits_for_approval and receipt.transaction is not None:
            approver = Actor("approval preview", Role.ADMINISTRATOR, receipt.transaction.party)
            try:
                approved = approvals.approve_transaction(
                    rehearsed,
                    approver,
                    c.ApproveTransaction(transaction=receipt.record),
                )
                result.on_approval = approved.transaction
            except CommandRefused as refused:
                result.approval_refused = [f"{r.check.code} {r.detail}" for r in refused.refusals]
        return result
