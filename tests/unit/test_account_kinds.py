"""Account kinds: where they live, what they hold, which are terminal, and the seed's names."""

from __future__ import annotations

import pytest

from article6.domain.accounts import (
    CANCELLATION_ACCOUNT,
    AccountKind,
    CancellationPurpose,
    Container,
    UnitState,
    account_name,
)

K = AccountKind

HOLDS = {
    K.MO_HOLDING: UnitState.MO,
    K.AMO_HOLDING: UnitState.AMO,
    K.ITMO_HOLDING: UnitState.ITMO,
    K.NDC_USE: UnitState.USED,
    K.IMP_CANCELLATION: UnitState.CANCELLED,
    K.OP_CANCELLATION: UnitState.CANCELLED,
    K.OMGE_CANCELLATION: UnitState.CANCELLED,
    K.VOLUNTARY_CANCELLATION: UnitState.CANCELLED,
}


def test_the_table_names_every_kind():
    assert set(HOLDS) == set(AccountKind)


@pytest.mark.parametrize(("kind", "state"), HOLDS.items())
def test_each_kind_holds_units_of_one_state(kind, state):
    assert kind.holds is state


@pytest.mark.parametrize("kind", list(AccountKind))
def test_mos_and_amos_live_in_the_ars_everything_else_in_the_ir(kind):
    in_ars = kind in (K.MO_HOLDING, K.AMO_HOLDING)
    assert kind.container is (Container.ARS if in_ars else Container.IR)


@pytest.mark.parametrize("kind", list(AccountKind))
def test_use_and_cancellation_accounts_are_terminal_and_the_partys_only(kind):
    terminal = HOLDS[kind] in (UnitState.USED, UnitState.CANCELLED)
    assert kind.terminal is terminal
    assert kind.party_only is terminal


@pytest.mark.parametrize("kind", list(AccountKind))
def test_every_account_but_mo_holding_belongs_to_one_cooperative_approach(kind):
    assert kind.per_cooperative_approach is (kind is not K.MO_HOLDING)


def test_each_cancellation_purpose_has_its_own_account():
    assert CANCELLATION_ACCOUNT == {
        CancellationPurpose.IMP: K.IMP_CANCELLATION,
        CancellationPurpose.OP: K.OP_CANCELLATION,
        CancellationPurpose.OMGE: K.OMGE_CANCELLATION,
        CancellationPurpose.VOLUNTARY: K.VOLUNTARY_CANCELLATION,
    }


def test_only_use_towards_ndc_has_a_confirmed_nomenclature_code():
    assert K.NDC_USE.nomenclature_code == 200
    assert K.MO_HOLDING.nomenclature_code is None
    assert K.AMO_HOLDING.nomenclature_code is None


@pytest.mark.parametrize(
    ("party", "kind", "approach", "entity", "name"),
    [
        ("XXA", K.MO_HOLDING, None, None, "XXA MO Holding (ARS)"),
        ("XXA", K.MO_HOLDING, "CA0001", None, "XXA MO Holding (ARS)"),
        ("XXA", K.MO_HOLDING, None, "Green Group A", "XXA Green Group A MO Holding (ARS)"),
        ("XXA", K.AMO_HOLDING, "CA0001", None, "XXA CA0001 AMO Holding (ARS)"),
        (
            "XXA",
            K.AMO_HOLDING,
            "CA0001",
            "Green Group A",
            "XXA Green Group A CA0001 AMO Holding (ARS)",
        ),
        ("XXA", K.ITMO_HOLDING, "CA0001", None, "XXA CA0001 ITMO Holding (IR)"),
        (
            "XXC",
            K.ITMO_HOLDING,
            "CA0001",
            "Green C Entity",
            "XXC Green C Entity CA0001 ITMO Holding (IR)",
        ),
        ("XXA", K.NDC_USE, "CA0001", None, "XXA CA0001 NDC Use (IR)"),
        ("XXA", K.IMP_CANCELLATION, "CA0001", None, "XXA CA0001 IMP Cancellation (IR)"),
        ("XXA", K.OP_CANCELLATION, "CA0001", None, "XXA CA0001 OP Cancellation (IR)"),
        ("XXA", K.OMGE_CANCELLATION, "CA0001", None, "XXA CA0001 OMGE Cancellation (IR)"),
        (
            "XXA",
            K.VOLUNTARY_CANCELLATION,
            "CA0001",
            None,
            "XXA CA0001 Voluntary Cancellation (IR)",
        ),
    ],
)
def test_accounts_are_named_as_in_the_seed(party, kind, approach, entity, name):
    assert account_name(party, kind, approach, entity) == name
