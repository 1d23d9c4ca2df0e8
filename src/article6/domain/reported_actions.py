"""Which AEF Table 3 actions a ledger event is, for each Party it concerns (RULES.md 4.3, 4.6,
9.6; docs/aef.md): one table, as data, read by the Table 3 generator and tested row by row.

A Party reports what crosses its boundary or changes what its ITMOs are: units it authorizes,
first transfers, transfers and acquisitions between Parties (in one registry or between
registries, returns included), uses and cancellations. What stays inside one Party (an
internal transfer, an issuance of MOs) and the mechanism registry's share of proceeds and
OMGE taken from MOs at issuance (not ITMOs) are not actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from article6.domain.accounts import CancellationPurpose
from article6.domain.nomenclature import ActionSubtype, ActionType
from article6.domain.transactions import CANCELLATION_ACTION, TransactionKind


class PartyRole(StrEnum):
    """How the reporting Party stands to a transaction."""

    ACTING = "acting"  # the Party acts on units it holds (links, uses, cancels, issues)
    TRANSFERRING = "transferring"  # the units leave its accounts for another Party
    ACQUIRING = "acquiring"  # the units arrive in its accounts from another Party


class RecordedSubtype(StrEnum):
    """The subtype is the one recorded on the moved range at its first transfer."""

    RECORDED = "as recorded"


RECORDED = RecordedSubtype.RECORDED
ReportedAction = tuple[ActionType, ActionSubtype | RecordedSubtype | None]


@dataclass(frozen=True)
class EventMapping:
    """One row of the table: a ledger event, and the Table 3 rows it gives the Party, in order.

    `first_transfer`: the moved range carries a first-transfer subtype and the reporting Party
    is its first transferring Party. `source`: where the interpretation comes from."""

    kind: TransactionKind
    role: PartyRole
    first_transfer: bool
    actions: tuple[ReportedAction, ...]
    source: str
    cancellation_purpose: CancellationPurpose | None = None

    @property
    def key(self) -> EventKey:
        return (self.kind, self.role, self.first_transfer, self.cancellation_purpose)


EventKey = tuple[TransactionKind, PartyRole, bool, CancellationPurpose | None]

_K, _R, _T, _S = TransactionKind, PartyRole, ActionType, ActionSubtype
_AUTHORIZED: ReportedAction = (_T.AUTHORIZATION, None)
_TO_ANOTHER_PARTY: ReportedAction = (_T.FIRST_TRANSFER, _S.FIRST_TRANSFER_TO_ANOTHER_PARTY)
_AT_USE_OR_CANCELLATION: ReportedAction = (_T.FIRST_TRANSFER, _S.USE_OR_CANCELLATION)
_TRANSFERRED: ReportedAction = (_T.TRANSFER, None)
_ACQUIRED: ReportedAction = (_T.ACQUISITION, None)
_PARA_20 = "2/CMA.3 annex para 20(a); RULES.md 4.6 action types"
_PARA_2B = "2/CMA.3 annex para 2(b) (first transfer); 4/CMA.6 annex II Table 26(b)"

EVENT_MAPPINGS: tuple[EventMapping, ...] = (
    EventMapping(_K.ISSUANCE, _R.ACTING, False, (), "MOs are not ITMOs: nothing to report"),
    EventMapping(
        _K.ISSUANCE,
        _R.ACTING,
        True,
        (_AUTHORIZED, (_T.FIRST_TRANSFER, _S.ISSUANCE)),
        f"issued under an authorization whose first transfer is at Issuance; {_PARA_2B}",
    ),
    EventMapping(
        _K.AUTHORIZATION,
        _R.ACTING,
        False,
        (_AUTHORIZED,),
        f"linking an authorization to a block; {_PARA_20}",
    ),
    EventMapping(
        _K.AUTHORIZATION,
        _R.ACTING,
        True,
        (_AUTHORIZED, (_T.FIRST_TRANSFER, _S.AUTHORIZATION)),
        f"authorization that is the first transfer (OIMP, Authorisation); {_PARA_2B}",
    ),
    EventMapping(
        _K.FIRST_TRANSFER_RECORD,
        _R.ACTING,
        True,
        ((_T.FIRST_TRANSFER, RECORDED),),
        f"a first transfer at Authorisation or Issuance recorded afterwards; {_PARA_2B}",
    ),
    EventMapping(
        _K.INTERNAL_TRANSFER, _R.ACTING, False, (), "stays inside one Party: not an action"
    ),
    EventMapping(_K.INTERNATIONAL_TRANSFER, _R.TRANSFERRING, False, (_TRANSFERRED,), _PARA_20),
    EventMapping(
        _K.INTERNATIONAL_TRANSFER,
        _R.TRANSFERRING,
        True,
        (_TO_ANOTHER_PARTY,),
        f"one First transfer row, not also a Transfer; {_PARA_2B}",
    ),
    EventMapping(_K.INTERNATIONAL_TRANSFER, _R.ACQUIRING, False, (_ACQUIRED,), _PARA_20),
    EventMapping(
        _K.EXTERNAL_TRANSFER,
        _R.TRANSFERRING,
        False,
        (_TRANSFERRED,),
        f"to another registry, returns included; {_PARA_20}",
    ),
    EventMapping(
        _K.EXTERNAL_TRANSFER,
        _R.TRANSFERRING,
        True,
        (_TO_ANOTHER_PARTY,),
        f"first transfer to a Party in another registry; {_PARA_2B}",
    ),
    EventMapping(
        _K.ACQUISITION,
        _R.ACQUIRING,
        False,
        (_ACQUIRED,),
        f"from another registry or the 6.4 mechanism registry, returns included; {_PARA_20}",
    ),
    EventMapping(_K.USE, _R.ACTING, False, ((_T.USE, None),), f"use towards NDC; {_PARA_20}"),
    *(
        EventMapping(
            _K.CANCELLATION,
            _R.ACTING,
            first,
            ((_AT_USE_OR_CANCELLATION,) if first else ()) + (CANCELLATION_ACTION[purpose],),
            (f"first transfer at use or cancellation, then the cancellation; {_PARA_2B}")
            if first
            else f"cancellation for {purpose}; {_PARA_20}; RULES.md 4.6 subtypes",
            purpose,
        )
        for first in (False, True)
        for purpose in CancellationPurpose
    ),
    EventMapping(
        _K.SHARE_OF_PROCEEDS,
        _R.ACTING,
        False,
        (),
        "share of proceeds taken from MOs at issuance in the mechanism registry: not ITMOs",
    ),
    EventMapping(
        _K.MANDATORY_OMGE_CANCELLATION,
        _R.ACTING,
        False,
        (),
        "OMGE cancelled from MOs at issuance in the mechanism registry: not ITMOs",
    ),
    EventMapping(
        _K.HISTORY_IMPORT,
        _R.ACTING,
        False,
        (),
        "a Party's holdings at the end of its imported history: its imported AEF versions"
        " report the actions (docs/history-import.md)",
    ),
)
"""Every ledger event a Party can stand in, and its Table 3 rows (docs/aef.md, Table 3)."""

_BY_KEY: dict[EventKey, EventMapping] = {row.key: row for row in EVENT_MAPPINGS}
if len(_BY_KEY) != len(EVENT_MAPPINGS):
    raise ValueError("EVENT_MAPPINGS lists one event twice")


def role_of(
    kind: TransactionKind,
    party: str,
    initiating_party: str | None,
    source_party: str | None,
    destination_party: str | None,
) -> PartyRole | None:
    """How `party` stands to a transaction (None: not at all). Between registries only one side
    is in this ledger: an external transfer's units leave the initiating Party, an acquisition's
    arrive in the destination account's Party."""
    if kind is TransactionKind.ACQUISITION:
        return PartyRole.ACQUIRING if destination_party == party else None
    if kind is TransactionKind.EXTERNAL_TRANSFER:
        return PartyRole.TRANSFERRING if (source_party or initiating_party) == party else None
    if kind is TransactionKind.INTERNATIONAL_TRANSFER:
        if source_party == party and destination_party != party:
            return PartyRole.TRANSFERRING
        if destination_party == party and source_party != party:
            return PartyRole.ACQUIRING
        return None
    return PartyRole.ACTING if initiating_party == party else None


def reported_actions(
    kind: TransactionKind,
    role: PartyRole | None,
    first_transfer: bool,
    cancellation_purpose: CancellationPurpose | None = None,
) -> tuple[ReportedAction, ...]:
    """The Table 3 rows of one moved range for the Party (empty: none). An event the table does
    not list is reported as nothing rather than guessed at."""
    if role is None:
        return ()
    purpose = cancellation_purpose if kind is TransactionKind.CANCELLATION else None
    row = _BY_KEY.get((kind, role, first_transfer, purpose))
    return row.actions if row is not None else ()
