"""Which AEF Table 3 rows each ledger event gives the Party concerned (RULES.md 4.3, 4.6; the
table of docs/aef.md), one case per row of `reported_actions.EVENT_MAPPINGS`."""

from __future__ import annotations

import pytest

from article6.domain.accounts import CancellationPurpose
from article6.domain.nomenclature import ActionSubtype, ActionType
from article6.domain.reported_actions import (
    EVENT_MAPPINGS,
    RECORDED,
    PartyRole,
    reported_actions,
    role_of,
)
from article6.domain.transactions import TransactionKind

K, R, T, S, P = TransactionKind, PartyRole, ActionType, ActionSubtype, CancellationPurpose

# (event, kind, role, first transfer, cancellation purpose, expected rows)
EXPECTED = [
    ("an issuance of MOs", K.ISSUANCE, R.ACTING, False, None, []),
    (
        "an issuance under an authorization whose first transfer is at Issuance",
        K.ISSUANCE,
        R.ACTING,
        True,
        None,
        [(T.AUTHORIZATION, None), (T.FIRST_TRANSFER, S.ISSUANCE)],
    ),
    ("linking an authorization", K.AUTHORIZATION, R.ACTING, False, None, [(T.AUTHORIZATION, None)]),
    (
        "linking an authorization that is the first transfer",
        K.AUTHORIZATION,
        R.ACTING,
        True,
        None,
        [(T.AUTHORIZATION, None), (T.FIRST_TRANSFER, S.AUTHORIZATION)],
    ),
    (
        "a first transfer recorded by the administrators",
        K.FIRST_TRANSFER_RECORD,
        R.ACTING,
        True,
        None,
        [(T.FIRST_TRANSFER, RECORDED)],
    ),
    ("an internal transfer", K.INTERNAL_TRANSFER, R.ACTING, False, None, []),
    (
        "a transfer to another Party in this registry",
        K.INTERNATIONAL_TRANSFER,
        R.TRANSFERRING,
        False,
        None,
        [(T.TRANSFER, None)],
    ),
    (
        "a first transfer to another Party in this registry: no separate Transfer row",
        K.INTERNATIONAL_TRANSFER,
        R.TRANSFERRING,
        True,
        None,
        [(T.FIRST_TRANSFER, S.FIRST_TRANSFER_TO_ANOTHER_PARTY)],
    ),
    (
        "an acquisition from another Party in this registry",
        K.INTERNATIONAL_TRANSFER,
        R.ACQUIRING,
        False,
        None,
        [(T.ACQUISITION, None)],
    ),
    (
        "a transfer to another registry (a return too)",
        K.EXTERNAL_TRANSFER,
        R.TRANSFERRING,
        False,
        None,
        [(T.TRANSFER, None)],
    ),
    (
        "a first transfer to a Party in another registry",
        K.EXTERNAL_TRANSFER,
        R.TRANSFERRING,
        True,
        None,
        [(T.FIRST_TRANSFER, S.FIRST_TRANSFER_TO_ANOTHER_PARTY)],
    ),
    (
        "an acquisition from another registry or the 6.4 mechanism registry (a return too)",
        K.ACQUISITION,
        R.ACQUIRING,
        False,
        None,
        [(T.ACQUISITION, None)],
    ),
    ("a use towards the NDC", K.USE, R.ACTING, False, None, [(T.USE, None)]),
    ("a cancellation for IMP", K.CANCELLATION, R.ACTING, False, P.IMP, [(T.USE, None)]),
    (
        "a cancellation for OP",
        K.CANCELLATION,
        R.ACTING,
        False,
        P.OP,
        [(T.CANCELLATION, S.OTHER_CANCELLATIONS)],
    ),
    (
        "a cancellation for OMGE",
        K.CANCELLATION,
        R.ACTING,
        False,
        P.OMGE,
        [(T.VOLUNTARY_CANCELLATION, S.VOLUNTARY_OMGE)],
    ),
    (
        "a voluntary cancellation",
        K.CANCELLATION,
        R.ACTING,
        False,
        P.VOLUNTARY,
        [(T.VOLUNTARY_CANCELLATION, None)],
    ),
    (
        "a cancellation for IMP that is the first transfer",
        K.CANCELLATION,
        R.ACTING,
        True,
        P.IMP,
        [(T.FIRST_TRANSFER, S.USE_OR_CANCELLATION), (T.USE, None)],
    ),
    (
        "a cancellation for OP that is the first transfer",
        K.CANCELLATION,
        R.ACTING,
        True,
        P.OP,
        [(T.FIRST_TRANSFER, S.USE_OR_CANCELLATION), (T.CANCELLATION, S.OTHER_CANCELLATIONS)],
    ),
    (
        "a cancellation for OMGE that is the first transfer",
        K.CANCELLATION,
        R.ACTING,
        True,
        P.OMGE,
        [
            (T.FIRST_TRANSFER, S.USE_OR_CANCELLATION),
            (T.VOLUNTARY_CANCELLATION, S.VOLUNTARY_OMGE),
        ],
    ),
    (
        "a voluntary cancellation that is the first transfer",
        K.CANCELLATION,
        R.ACTING,
        True,
        P.VOLUNTARY,
        [(T.FIRST_TRANSFER, S.USE_OR_CANCELLATION), (T.VOLUNTARY_CANCELLATION, None)],
    ),
    (
        "the share of proceeds taken from MOs at issuance",
        K.SHARE_OF_PROCEEDS,
        R.ACTING,
        False,
        None,
        [],
    ),
    (
        "the OMGE cancelled from MOs at issuance",
        K.MANDATORY_OMGE_CANCELLATION,
        R.ACTING,
        False,
        None,
        [],
    ),
    (
        "the holdings an imported history ends with: the imported AEF versions report the actions",
        K.HISTORY_IMPORT,
        R.ACTING,
        False,
        None,
        [],
    ),
]


@pytest.mark.parametrize(
    ("kind", "role", "first", "purpose", "expected"),
    [case[1:] for case in EXPECTED],
    ids=[case[0] for case in EXPECTED],
)
def test_each_ledger_event_gives_its_aef_rows(
    kind: TransactionKind,
    role: PartyRole,
    first: bool,
    purpose: CancellationPurpose | None,
    expected: list[object],
) -> None:
    assert list(reported_actions(kind, role, first, purpose)) == expected


def test_the_table_lists_exactly_the_events_above_each_with_its_source() -> None:
    listed = {(m.kind, m.role, m.first_transfer, m.cancellation_purpose) for m in EVENT_MAPPINGS}

    assert listed == {case[1:5] for case in EXPECTED}
    assert len(EVENT_MAPPINGS) == len(EXPECTED)
    assert all(m.source for m in EVENT_MAPPINGS)


def test_every_transaction_kind_is_in_the_table() -> None:
    assert {m.kind for m in EVENT_MAPPINGS} == set(TransactionKind)


def test_an_event_the_table_does_not_list_or_a_party_not_concerned_gives_no_row() -> None:
    assert reported_actions(K.ACQUISITION, R.TRANSFERRING, False) == ()
    assert reported_actions(K.USE, None, False) == ()


@pytest.mark.parametrize(
    ("kind", "party", "initiating", "source", "destination", "role"),
    [
        # One registry: the source account's Party transfers, the destination's acquires.
        (K.INTERNATIONAL_TRANSFER, "XXA", "XXA", "XXA", "XXC", R.TRANSFERRING),
        (K.INTERNATIONAL_TRANSFER, "XXC", "XXA", "XXA", "XXC", R.ACQUIRING),
        (K.INTERNATIONAL_TRANSFER, "XXB", "XXA", "XXA", "XXC", None),
        # Between registries only one side is in this ledger.
        (K.EXTERNAL_TRANSFER, "XXA", "XXA", "XXA", None, R.TRANSFERRING),
        (K.EXTERNAL_TRANSFER, "XXB", "XXA", "XXA", None, None),
        (K.EXTERNAL_TRANSFER, "XXA", "XXA", None, None, R.TRANSFERRING),  # no source account
        (K.ACQUISITION, "XXA", "XXA", None, "XXA", R.ACQUIRING),
        (K.ACQUISITION, "XXC", "XXA", None, "XXA", None),
        # The Party acts on its own units.
        (K.AUTHORIZATION, "XXA", "XXA", "XXA", "XXA", R.ACTING),
        (K.CANCELLATION, "XXA", "XXA", "XXA", "XXA", R.ACTING),
        (K.USE, "XXC", "XXA", "XXA", "XXA", None),
    ],
)
def test_the_party_s_role_in_a_transaction(
    kind: TransactionKind,
    party: str,
    initiating: str,
    source: str | None,
    destination: str | None,
    role: PartyRole | None,
) -> None:
    assert role_of(kind, party, initiating, source, destination) is role


def test_a_cancellation_purpose_matters_only_for_a_cancellation() -> None:
    rows = reported_actions(K.INTERNATIONAL_TRANSFER, R.TRANSFERRING, True)
    assert rows != ()
    assert (
        reported_actions(K.INTERNATIONAL_TRANSFER, R.TRANSFERRING, True, CancellationPurpose.IMP)
        == rows
    )
