"""What a reader asks to see of a Party section: the accounts, blocks and transactions it
narrows a list to, and the journal entries. A door validates each field (numbered checks) and
builds one of these; it travels whole to the store, which turns each set field into one
condition. `None` means "any"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from article6.domain.accounts import AccountKind, AccountStatus, UnitState
from article6.domain.transactions import TransactionKind, TransactionStatus


@dataclass(frozen=True)
class AccountFilter:
    kind: AccountKind | None = None
    cooperative_approach: str | None = None
    status: AccountStatus | None = None
    holder: str | None = None


@dataclass(frozen=True)
class BlockFilter:
    """Unit blocks, and the holdings summed from them."""

    account: str | None = None
    cooperative_approach: str | None = None
    vintage: int | None = None
    state: UnitState | None = None
    authorization_id: str | None = None


@dataclass(frozen=True)
class TransactionFilter:
    """A transaction matches `cooperative_approach`, `vintage` or `serial` (in `registry`, or
    any registry when None) when one of its moved ranges does; `entity` when one of its
    accounts is held by that entity; `since` is inclusive, `until` exclusive (on the creation
    time). A filter only narrows: what a reader may see is decided before it applies."""

    status: TransactionStatus | None = None
    kind: TransactionKind | None = None
    account: str | None = None
    cooperative_approach: str | None = None
    vintage: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    first_transfer: bool | None = None
    entity: str | None = None
    identifier: str | None = None
    registry: str | None = None
    serial: int | None = None


@dataclass(frozen=True)
class JournalFilter:
    """`since` is inclusive, `until` exclusive (on the recording time); `actor` is a user's
    name, in any of their roles."""

    event: str | None = None
    subject: str | None = None
    party: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
