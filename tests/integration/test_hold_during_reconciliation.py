"""C2006: while a reconciliation holds the registry, every transaction is refused whole, queries
and releases go on; the hold ends at its deadline by the registry's clock, whether or not anything
has lifted it; a section opened during the hold is held too; and on PostgreSQL the hold and the
snapshot cut the stream of commands at one point, so a command is either wholly in the snapshot
or refused.

The small world (see small_world.py): XXA holds MOs 1-500, AMOs 501-700 under CORSIA and
701-1000 under the NDC authorization (which names XXC).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from small_world import (
    CORSIA,
    GREEN_GROUP_A,
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    XXC_ADMIN,
    SmallWorld,
    holdings,
    refused,
    selection,
)
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from article6.demo.network import Clock
from article6.domain.access import Actor, Role
from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.filters import JournalFilter
from article6.domain.messages import ReconciliationPhase, ReconciliationRequest
from article6.domain.nomenclature import ActivityType, MitigationType, Sector
from article6.interop import reconciliation
from article6.services import approvals, issuance, units
from article6.services import commands as c
from article6.services import reconciliation_holds as holds
from article6.services.context import Registry
from article6.services.cooperative_approaches import register_cooperative_approach
from article6.services.mitigation_activities import record_mitigation_activity
from article6.services.parties import register_party
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt
from article6.store import reconciliation as stored_holds
from article6.store import sections
from article6.store.database import make_engine, unit_of_work

Command = Callable[[Registry, SmallWorld], Receipt]
RUN = "R-20260601120000-test"


def request(run: str = RUN) -> ReconciliationRequest:
    return ReconciliationRequest(
        reconciliation_id=run, phase=ReconciliationPhase.TOTALS, snapshot_at=datetime.now(UTC)
    )


def hold(registry: Registry) -> None:
    with unit_of_work(registry.engine) as connection:
        holds.place(connection, registry, request(), registry.now() + timedelta(hours=1))


def lift(registry: Registry) -> None:
    with unit_of_work(registry.engine) as connection:
        holds.lift(connection, registry, RUN, "the run completed")


def issue(registry: Registry, world: SmallWorld) -> Receipt:
    return issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=10),
    )


def link(registry: Registry, world: SmallWorld) -> Receipt:
    return units.link_authorization(
        registry,
        XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"], authorization_id=NDC, units=selection(10)
        ),
    )


def transfer(registry: Registry, world: SmallWorld) -> Receipt:
    return units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party mo_holding"],
            destination_account=world["XXA Green Group A mo_holding"],
            units=selection(10),
        ),
    )


def international(registry: Registry, world: SmallWorld) -> Receipt:
    return units.transfer_internationally(
        registry,
        XXA_ADMIN,
        c.TransferInternationally(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXC Party itmo_holding"],
            units=selection(10, NDC),
        ),
    )


def use(registry: Registry, world: SmallWorld) -> Receipt:
    return units.use_towards_ndc(
        registry,
        XXC_ADMIN,
        c.UseTowardsNDC(
            source_account=world["XXC Party itmo_holding"], ndc_year=2025, units=selection(5)
        ),
    )


def cancel(registry: Registry, world: SmallWorld) -> Receipt:
    return units.cancel_units(
        registry,
        XXA_ADMIN,
        c.CancelUnits(
            source_account=world["XXA Party amo_holding"],
            purpose=CancellationPurpose.IMP,
            purpose_text="CORSIA",
            units=selection(10, CORSIA),
        ),
    )


def entity_request(registry: Registry, world: SmallWorld) -> Receipt:
    """An entity's transfer waits for the Party: it reserves units, a transaction too."""
    return units.transfer_units(
        registry,
        GREEN_GROUP_A,
        c.TransferUnits(
            source_account=world["XXA Green Group A mo_holding"],
            destination_account=world["XXA Party mo_holding"],
            units=selection(5),
        ),
    )


# Each command, with what must exist before it can run.
COMMANDS: dict[str, tuple[list[Command], Command]] = {
    "issuance": ([], issue),
    "authorization": ([], link),
    "internal transfer": ([], transfer),
    "international transfer": ([], international),
    "use": ([international], use),
    "cancellation": ([], cancel),
    "request awaiting approval": ([transfer], entity_request),
}


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_every_transaction_is_refused_while_held_and_runs_once_the_hold_is_lifted(
    registry: Registry, world: SmallWorld, kind: str
):
    before, command = COMMANDS[kind]
    for setup in before:
        setup(registry, world)
    hold(registry)

    assert refused(registry, lambda: command(registry, world)) == [("C2006", "reconciliation")]

    lift(registry)
    assert command(registry, world).status in ("completed", "awaiting_approval")
    assert verify_registry(registry) == []


def test_queries_and_releases_go_on_while_held(registry: Registry, world: SmallWorld):
    transfer(registry, world)
    waiting = entity_request(registry, world)
    hold(registry)

    assert holdings(registry)["XXA Green Group A mo_holding"] == (10, 5)
    assert ledger.transaction(registry, SECRETARIAT, "XXA", waiting.record).status == (
        "awaiting_approval"
    )
    rejected = approvals.reject_transaction(
        registry, XXA_ADMIN, c.RejectTransaction(transaction=waiting.record, reason="not now")
    )
    assert rejected.status == "rejected"
    assert holdings(registry)["XXA Green Group A mo_holding"] == (10, 0)
    assert verify_registry(registry) == []


def test_approving_a_request_is_refused_while_held_and_completes_once_lifted(
    registry: Registry, world: SmallWorld
):
    transfer(registry, world)
    waiting = entity_request(registry, world)
    hold(registry)

    approve = c.ApproveTransaction(transaction=waiting.record)
    assert refused(
        registry, lambda: approvals.approve_transaction(registry, XXA_ADMIN, approve)
    ) == [("C2006", "reconciliation")]

    lift(registry)
    assert approvals.approve_transaction(registry, XXA_ADMIN, approve).status == "completed"
    assert holdings(registry)["XXA Green Group A mo_holding"] == (5, 0)
    assert verify_registry(registry) == []


# --- The deadline: the hold ends by itself, whether or not anything lifts it -----------------


def on_a_clock(registry: Registry) -> tuple[Registry, Clock]:
    """The registry on a clock the test moves by hand, starting now."""
    clock = Clock(datetime.now(UTC))
    return Registry(registry.engine, clock), clock


def stored_hold(registry: Registry) -> str | None:
    """The run the section rows still name: an overdue hold stays there until it is lifted."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        found = stored_holds.hold(connection)
    return found.reconciliation_id if found is not None else None


def hold_journal(registry: Registry, run: str = RUN) -> list[tuple[str, str | None]]:
    """The run's hold entries in the journal, with the reason of each lifting."""
    return [
        (entry.event, json.loads(entry.body).get("reason"))
        for entry in ledger.journal(registry, SECRETARIAT, None, JournalFilter(subject=run)).items
        if entry.event.startswith("ReconciliationHold")
    ]


@pytest.mark.parametrize("kind", list(COMMANDS))
def test_every_transaction_runs_once_the_deadline_passes_though_nothing_lifted_the_hold(
    registry: Registry, world: SmallWorld, kind: str
):
    """A registry without its protocol loop: nothing lifts the overdue hold, yet it holds no
    longer."""
    clocked, clock = on_a_clock(registry)
    before, command = COMMANDS[kind]
    for setup in before:
        setup(clocked, world)
    hold(clocked)

    clock.advance(timedelta(minutes=59))
    assert refused(clocked, lambda: command(clocked, world)) == [("C2006", "reconciliation")]

    clock.advance(timedelta(minutes=1))
    assert command(clocked, world).status in ("completed", "awaiting_approval")
    assert stored_hold(clocked) == RUN
    assert hold_journal(clocked) == [("ReconciliationHoldPlaced", None)]
    assert verify_registry(clocked) == []


def test_an_approval_runs_once_the_deadline_passes_and_the_lifting_is_journaled_later(
    registry: Registry, world: SmallWorld
):
    clocked, clock = on_a_clock(registry)
    transfer(clocked, world)
    waiting = entity_request(clocked, world)
    hold(clocked)
    approve = c.ApproveTransaction(transaction=waiting.record)

    clock.advance(timedelta(minutes=59))
    assert holds.in_force(clocked) is not None
    assert refused(clocked, lambda: approvals.approve_transaction(clocked, XXA_ADMIN, approve)) == [
        ("C2006", "reconciliation")
    ]

    clock.advance(timedelta(minutes=1))
    assert holds.in_force(clocked) is None  # what the dashboard and the health check show
    assert approvals.approve_transaction(clocked, XXA_ADMIN, approve).status == "completed"
    assert holdings(clocked)["XXA Green Group A mo_holding"] == (5, 0)
    assert verify_registry(clocked) == []

    assert holds.lift_overdue(clocked) == RUN
    assert stored_hold(clocked) is None
    assert hold_journal(clocked) == [
        ("ReconciliationHoldPlaced", None),
        ("ReconciliationHoldLifted", "its deadline passed"),
    ]


class Deadlock(Exception):
    """What the PostgreSQL driver raises for a deadlock's victim (SQLSTATE 40P01)."""

    sqlstate = "40P01"


def test_lifting_an_overdue_hold_is_a_command_run_again_whole_after_a_deadlock(
    registry: Registry, world: SmallWorld, monkeypatch: pytest.MonkeyPatch
):
    """The sweep runs through `execute`: a deadlock met while journaling the end rolls back the
    lifting too, and the whole command runs again, so the hold ends once, journaled once."""
    clocked, clock = on_a_clock(registry)
    hold(clocked)
    clock.advance(timedelta(minutes=60))
    journal_lifted = holds._journal_lifted
    attempts: list[str] = []

    def deadlocking_once(connection: Any, registry: Registry, actor: Actor, *rest: Any) -> None:
        attempts.append(actor.name)
        if len(attempts) == 1:
            raise DBAPIError("INSERT INTO journal_pending …", None, Deadlock())
        journal_lifted(connection, registry, actor, *rest)

    monkeypatch.setattr(holds, "_journal_lifted", deadlocking_once)
    assert holds.lift_overdue(clocked) == RUN
    assert attempts == ["registry clock", "registry clock"]
    assert stored_hold(clocked) is None
    assert hold_journal(clocked) == [
        ("ReconciliationHoldPlaced", None),
        ("ReconciliationHoldLifted", "its deadline passed"),
    ]
    assert holds.lift_overdue(clocked) is None  # nothing is overdue any more


def test_a_run_asking_again_after_its_deadline_holds_the_registry_anew(
    registry: Registry, world: SmallWorld
):
    """The overdue hold was never lifted: the run's new request for totals ends it (journaled as
    its deadline's doing) and holds the registry until a new deadline."""
    clocked, clock = on_a_clock(registry)
    hold(clocked)
    clock.advance(timedelta(hours=1))
    assert transfer(clocked, world).status == "completed"

    hold(clocked)
    assert hold_journal(clocked) == [
        ("ReconciliationHoldPlaced", None),
        ("ReconciliationHoldLifted", "its deadline passed"),
        ("ReconciliationHoldPlaced", None),
    ]
    clock.advance(timedelta(minutes=59))
    assert refused(clocked, lambda: transfer(clocked, world)) == [("C2006", "reconciliation")]
    clock.advance(timedelta(minutes=1))
    assert transfer(clocked, world).status == "completed"
    assert verify_registry(clocked) == []


# --- A section opened during the hold --------------------------------------------------------

XXD_ADMIN = Actor("xxd.admin", Role.ADMINISTRATOR, "XXD")


def open_xxd(registry: Registry) -> str:
    """XXD joins the registry with its own section, an approach and an activity: its activity."""
    register_party(
        registry,
        SECRETARIAT,
        c.RegisterParty(code="XXD", name="Party XXD", ndc_first_year=2021, ndc_last_year=2030),
    )
    register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(id="CA0002", name="Wind", participating_parties=["XXD"]),
    )
    return record_mitigation_activity(
        registry,
        XXD_ADMIN,
        c.RecordMitigationActivity(
            title="Wind farm",
            cooperative_approach="CA0002",
            sector=Sector.ENERGY_GENERATION,
            activity_type=ActivityType.WIND,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
        ),
    ).record


def issue_in_xxd(registry: Registry, activity: str) -> Receipt:
    """An issuance: a transaction numbered in XXD's section."""
    return issuance.issue_units(
        registry,
        XXD_ADMIN,
        c.IssueUnits(mitigation_activity=activity, vintage=2024, quantity=10),
    )


def section_holds(registry: Registry) -> dict[str, tuple[str | None, Any]]:
    """Each section's hold: its run and its deadline."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        return {
            code: (row.reconciliation_id, row.reconciliation_until)
            for code in ("XXA", "XXB", "XXC", "XXD")
            if (row := sections.section(connection, code)) is not None
        }


def test_a_section_opened_during_the_hold_is_held_like_every_other(
    registry: Registry, world: SmallWorld
):
    hold(registry)
    activity = open_xxd(registry)

    held = section_holds(registry)
    assert held["XXD"] == held["XXA"] and held["XXD"][0] == RUN
    assert refused(registry, lambda: issue_in_xxd(registry, activity)) == [
        ("C2006", "reconciliation")
    ]

    lift(registry)
    assert set(section_holds(registry).values()) == {(None, None)}
    assert issue_in_xxd(registry, activity).status == "completed"
    assert verify_registry(registry) == []


# --- PostgreSQL: the hold and the snapshot against commands in flight -----------------------


@pytest.fixture
def postgres_world(
    postgres_url: str, world_templates: Any
) -> Iterator[tuple[Registry, SmallWorld]]:
    world = world_templates.copy_into(postgres_url)
    registry = Registry(make_engine(postgres_url))
    yield registry, world
    registry.engine.dispose()


def waiting_for_holdings(registry: Registry) -> int:
    """How many transactions wait for a lock on the holdings table or its rows."""
    with registry.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class t ON t.oid = l.relation "
                    "WHERE t.relname = 'holdings' AND NOT l.granted"
                )
            ).scalar_one()
        )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.01)


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["receipt"] = work()
        except CommandRefused as refusal:
            outcome["refused"] = [(r.check.code, r.field) for r in refusal.refusals]

    worker = threading.Thread(target=run)
    worker.start()
    return worker, outcome


@pytest.mark.postgres
def test_on_postgresql_a_command_reaching_its_holdings_after_the_hold_is_refused(
    postgres_world: tuple[Registry, SmallWorld],
):
    """The hold is placed but not yet committed when the transfer starts: without the table
    lock it would read no hold (READ COMMITTED) and commit after the snapshot."""
    registry, world = postgres_world
    before = holdings(registry)
    with unit_of_work(registry.engine) as connection:
        holds.place(connection, registry, request(), registry.now() + timedelta(hours=1))
        worker, outcome = in_thread(lambda: transfer(registry, world))
        wait_for(lambda: waiting_for_holdings(registry) > 0, "the transfer to wait for the hold")
        snapshot_totals = reconciliation.totals(connection, RUN)
    worker.join(timeout=60)

    assert outcome == {"refused": [("C2006", "reconciliation")]}
    assert holdings(registry) == before
    assert snapshot_totals.ledger_problems == []


@pytest.mark.postgres
def test_on_postgresql_a_section_opened_while_the_hold_is_placed_is_held(
    postgres_world: tuple[Registry, SmallWorld],
):
    """The hold is placed but not yet committed when XXD registers: without waiting for it, the
    new section would read no hold (READ COMMITTED) and the hold's update would not see it."""
    registry, _world = postgres_world
    with unit_of_work(registry.engine) as connection:
        holds.place(connection, registry, request(), registry.now() + timedelta(hours=1))
        worker, outcome = in_thread(lambda: open_xxd(registry))
        wait_for(lambda: waiting_for_holdings(registry) > 0, "the new section to wait for the hold")
    worker.join(timeout=60)

    activity = outcome["receipt"]
    assert {run for run, _until in section_holds(registry).values()} == {RUN}
    assert len(section_holds(registry)) == 4
    assert refused(registry, lambda: issue_in_xxd(registry, activity)) == [
        ("C2006", "reconciliation")
    ]


@pytest.mark.postgres
def test_on_postgresql_a_command_holding_its_holdings_is_in_the_snapshot(
    postgres_world: tuple[Registry, SmallWorld],
):
    """The transfer has locked its holdings (and is paused, by its clock) when the hold comes:
    the hold waits for it, so the snapshot sees its commit."""
    registry, world = postgres_world
    paused, resume = threading.Event(), threading.Event()

    def pausing_clock() -> datetime:
        if not paused.is_set():
            paused.set()  # first read of the clock: after the holdings are locked
            resume.wait(timeout=60)
        return datetime.now(UTC)

    worker, outcome = in_thread(lambda: transfer(Registry(registry.engine, pausing_clock), world))
    assert paused.wait(timeout=60)
    placed: dict[str, Any] = {}

    def place() -> None:
        with unit_of_work(registry.engine) as connection:
            holds.place(connection, registry, request(), datetime.now(UTC))
            placed["holdings"] = connection.execute(
                text(
                    "SELECT sum(quantity) FROM holdings h JOIN accounts a ON a.id = h.account_id "
                    "WHERE a.identifier = :account"
                ),
                {"account": world["XXA Green Group A mo_holding"]},
            ).scalar_one()

    holder = threading.Thread(target=place)
    holder.start()
    wait_for(lambda: waiting_for_holdings(registry) > 0, "the hold to wait for the transfer")
    resume.set()
    worker.join(timeout=60)
    holder.join(timeout=60)

    assert outcome["receipt"].status == "completed"
    assert placed == {"holdings": 10}
    assert verify_registry(registry) == []
