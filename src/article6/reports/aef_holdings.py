"""AEF Table 4 (holdings) derived from the ledger, as generators: no table is held in memory.

Table 4 comes from the frozen year-end holdings snapshot, which `holdings_at` reconstructs from
the moved ranges by a sweep over serial numbers (docs/aef.md).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from article6.domain.accounts import UnitState
from article6.domain.identifiers import unit_identifier
from article6.domain.nomenclature import Metric
from article6.reports.aef import Cells, cells
from article6.reports.aef_spec import NA, TABLE
from article6.store.aef_archive import HELD_RANGE_COLUMNS, HeldRange

# Table 4 ----------------------------------------------------------------------------------

SNAPSHOT_COLUMNS = HELD_RANGE_COLUMNS[4:]
"""The attributes a held range keeps from the moves that brought it (after its origin, serials
and first underlying unit), in `HeldRange`'s order."""

MOVE_COLUMNS = (
    "id",
    "registry_id",
    "serial_first",
    "serial_last",
    "underlying_first",
    "destination_account_id",
    "to_state",
    *SNAPSHOT_COLUMNS,
)
"""The columns `latest_moves` and `holdings_at` read, in this order."""

_ID, _REGISTRY, _SERIAL_FIRST, _SERIAL_LAST, _UNDERLYING_FIRST, _DESTINATION, _TO_STATE = range(7)
_ATTRIBUTES = slice(7, None)


def latest_moves(moves: Iterable[Any]) -> Iterator[tuple[Any, int, int]]:
    """Split serial space into segments and give, for each, the latest move covering it.

    `moves` (`MOVE_COLUMNS`) come ordered by (registry_id, serial_first); a move's recency is
    its `id` (moved ranges are recorded when their transaction completes). A sweep with a heap
    of the moves covering the current serial yields (move, first, last) segments; memory is
    bounded by how many moves overlap at one serial, not by how many there are.
    """
    heap: list[tuple[int, int, Any]] = []
    push, pop = heapq.heappush, heapq.heappop
    registry: str | None = None
    position = 0
    for move in moves:
        first = move[_SERIAL_FIRST]
        if move[_REGISTRY] != registry:
            while heap:  # the rest of the previous registry's serials
                while heap and heap[0][1] < position:
                    pop(heap)
                if not heap:
                    break
                _, last, top = heap[0]
                yield top, position, last
                position = last + 1
            registry = move[_REGISTRY]
            position = first
        else:
            until = first - 1
            while heap:  # the serials before this move's
                while heap and heap[0][1] < position:
                    pop(heap)
                if not heap or position > until:
                    break
                _, last, top = heap[0]
                end = last if last < until else until
                yield top, position, end
                position = end + 1
            if position < first:
                position = first
        push(heap, (-move[_ID], move[_SERIAL_LAST], move))
    while heap:
        while heap and heap[0][1] < position:
            pop(heap)
        if not heap:
            break
        _, last, top = heap[0]
        yield top, position, last
        position = last + 1


HELD_STATES = frozenset({UnitState.AMO.value, UnitState.ITMO.value})
"""What Table 4 holds: authorized units, first transferred or not. A mitigation outcome is an
ITMO once the Party authorizes it (2/CMA.3 annex para 1(f)); Table 3 reports that authorization
as an action, and the CARP's checks ISC01 and DR01 count authorized units in until they are
transferred, used or cancelled, so they are held until then. Unauthorized MOs are not ITMOs."""


def holdings_at(moves: Iterable[Any], account_ids: set[int]) -> Iterator[HeldRange]:
    """The ITMO ranges held in `account_ids` after the given moves (`MOVE_COLUMNS`): per
    serial, the latest move decides where it is; ranges ending in the Party's accounts as
    authorized units are held, whether or not first transferred yet (`HELD_STATES`).
    Contiguous ranges with equal attributes are merged."""
    held = HELD_STATES
    pending: list[Any] | None = None  # origin, first, last, underlying, attributes

    def row(piece: list[Any]) -> HeldRange:
        origin, first, last, underlying, attributes = piece
        return HeldRange(origin, first, last, underlying, *attributes)

    for move, first, last in latest_moves(moves):
        if move[_DESTINATION] not in account_ids or move[_TO_STATE] not in held:
            continue
        underlying = move[_UNDERLYING_FIRST]
        if underlying is not None:
            underlying += first - move[_SERIAL_FIRST]
        attributes = tuple(move[_ATTRIBUTES])
        if (
            pending is not None
            and pending[4] == attributes
            and _continues(pending, move[_REGISTRY], first, underlying)
        ):
            pending[2] = last
            continue
        if pending is not None:
            yield row(pending)
        pending = [move[_REGISTRY], first, last, underlying, attributes]
    if pending is not None:
        yield row(pending)


def _continues(piece: list[Any], origin: str, first: int, underlying: int | None) -> bool:
    """A held segment continues the previous piece: same origin, contiguous serials and
    underlying units."""
    if piece[0] != origin or piece[2] + 1 != first:
        return False
    if piece[3] is None or underlying is None:
        return piece[3] is None and underlying is None
    return bool(piece[3] + (piece[2] - piece[1] + 1) == underlying)


def holding_rows(snapshot: Iterable[HeldRange], registry_id: str) -> Iterator[Cells]:
    """Table 4 from the stored snapshot rows; the registry (field 4) is the one holding the
    ITMOs, and First and Last ID are the units' full identifiers, which name the registry that
    issued them (A64 serials and XXB01 serials held in XXA01 never read as one range)."""
    spec = TABLE[4]
    for row in snapshot:
        approach, party, vintage = (
            row.cooperative_approach_id,
            row.first_transferring_party,
            row.vintage,
        )
        origin = row.origin_registry_id
        quantity = row.serial_last - row.serial_first + 1
        ghg = row.metric == Metric.GHG
        if ghg:
            non_ghg_quantity = NA
        else:
            per_unit = Decimal(row.non_ghg_per_unit) if row.non_ghg_per_unit else Decimal(0)
            non_ghg_quantity = str((per_unit * quantity).normalize())
        underlying = row.underlying_first
        yield cells(
            spec,
            {
                "cooperative_approach_id": row.cooperative_approach_id,
                "authorization_id": row.authorization_id,
                "first_transferring_party": row.first_transferring_party,
                "registry_id": registry_id,
                "first_id": unit_identifier(approach, origin, party, row.serial_first, vintage),
                "last_id": unit_identifier(approach, origin, party, row.serial_last, vintage),
                "underlying_registry": row.underlying_registry or NA,
                "first_unit_id": NA if underlying is None else underlying,
                "last_unit_id": NA if underlying is None else underlying + quantity - 1,
                "metric": row.metric,
                "gwp_values": row.gwp_values,
                "non_ghg_metric": NA if ghg else row.non_ghg_metric,
                "quantity": quantity,
                "non_ghg_quantity": non_ghg_quantity,
                "mitigation_type": row.mitigation_type,
                "vintage": row.vintage,
            },
        )
