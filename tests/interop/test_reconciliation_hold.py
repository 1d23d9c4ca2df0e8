"""No transaction while a reconciliation is in progress (C2006, after the ITL's check 3016).

A registry is held from the hub's request for its totals until the hub's result, or at the
latest an hour later: it refuses every transaction and still answers queries. The hub refuses
proposals involving a registry it is reconciling with, and completes none of its transfers until
the run ends, so a run over a busy network finds no discrepancy the run itself made.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from observations import assert_sound, holding, itmo_holding, send
from sqlalchemy import select

from article6.app import create_app
from article6.demo.network import XXB_ADMIN, XXB_NDC, Fate, Network
from article6.demo.world import SECRETARIAT
from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.services import commands as c
from article6.services import identity, units
from article6.services.external_transfer_status import transfers
from article6.services.reads import ledger
from article6.services.reconciliation_holds import in_force
from article6.services.views import Receipt
from article6.settings import Settings
from article6.store.database import unit_of_work
from article6.store.interop_schema import hub_reconciliations
from article6.store.schema import journal

AMO = "XXB Party amo_holding"
MO = "XXB Party mo_holding"


def link(net: Network, accounts: dict[str, str], quantity: int = 10) -> Receipt:
    """XXB links some of its MOs to its NDC authorization: a transaction in XXB01."""
    return units.link_authorization(
        net.nodes["XXB01"].registry,
        XXB_ADMIN,
        c.LinkAuthorization(
            account=accounts[MO], authorization_id=XXB_NDC, units=c.UnitSelection(quantity=quantity)
        ),
    )


def refusal(command) -> tuple[str, str]:
    with pytest.raises(CommandRefused) as raised:
        command()
    [only] = raised.value.refusals
    return only.check.code, only.detail


def holds_in(net: Network) -> dict[str, str]:
    """The run holding each registry, for the registries held."""
    found = {}
    for name, node in net.nodes.items():
        hold = in_force(node.registry)
        if hold is not None:
            found[name] = hold.reconciliation_id
    return found


def phases(net: Network, run: str) -> dict[str, str]:
    """The phase each registry's run ended in."""
    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        rows = connection.execute(
            select(hub_reconciliations.c.registry_id, hub_reconciliations.c.phase).where(
                hub_reconciliations.c.reconciliation_id == run
            )
        )
        return dict(rows.all())


def reconcile_losing_the_result_to(net: Network, registry: str) -> str:
    """Start a run whose result never reaches `registry`: it stays held until its deadline."""
    net.transport.intercept = lambda peer, wire: (
        Fate.DROP
        if wire["envelope"]["message_type"] == "ReconciliationResult"
        and peer.registry_id == registry
        else Fate.DELIVER
    )
    run = net.hub.start_reconciliation()
    net.settle()
    assert holds_in(net) == {registry: run}
    return run


def journalled(net: Network, registry: str, run: str) -> list[tuple[str, dict]]:
    with unit_of_work(net.nodes[registry].registry.engine, read_only=True) as connection:
        rows = connection.execute(
            select(journal.c.event, journal.c.body)
            .where(journal.c.subject == run, journal.c.event.like("ReconciliationHold%"))
            .order_by(journal.c.seq)
        )
        return [(event, json.loads(body)) for event, body in rows]


def test_a_held_registry_refuses_transactions_answers_queries_and_resumes_after_the_result(
    network,
):
    net, accounts = network
    run = net.hub.start_reconciliation()
    net.hub.deliver_pending(net.transport)  # each registry receives the request for its totals
    assert holds_in(net) == {"IR": run, "XXB01": run}

    code, detail = refusal(lambda: link(net, accounts))
    assert code == "C2006"
    assert run in detail and "at the latest at 2026-06-01 13:00 UTC" in detail
    assert refusal(lambda: send(net, "XXB01", accounts[AMO], "IR", "XXA", 10))[0] == "C2006"
    assert holding(net, "XXB01", accounts[MO]) == (400, 0)  # queries go on
    assert ledger.verify_registry(net.nodes["XXB01"].registry) == []

    net.settle()

    assert net.hub.reconciliation(run) == {"IR": ("completed", []), "XXB01": ("completed", [])}
    assert holds_in(net) == {}
    assert [event for event, _ in journalled(net, "XXB01", run)] == [
        "ReconciliationHoldPlaced",
        "ReconciliationHoldLifted",
    ]
    assert journalled(net, "XXB01", run)[1][1]["reason"] == "the run completed"
    assert link(net, accounts).status == "completed"
    assert holding(net, "XXB01", accounts[MO]) == (390, 0)
    assert_sound(net)


def test_administrators_see_the_hold_and_its_deadline(network, clock):
    net, _accounts = network
    registry = net.nodes["XXB01"].registry
    password, secret = "reconciliation-password", totp.new_secret()
    identity.create_section_user(
        registry,
        Actor("installer", Role.SECRETARIAT),
        identity.CreateUser(name=XXB_ADMIN.name, display_name="XXB admin", password=password),
        identity.GrantRole(role=Role.ADMINISTRATOR, party="XXB"),
        totp_secret=secret,
    )
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    client = TestClient(create_app(registry, Settings()))
    signed = client.post(
        "/sign-in",
        data={"name": XXB_ADMIN.name, "password": password, "code": totp.code_at(secret, clock())},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert client.get("/api/v1/health").json()["reconciliation"] is None
    assert 'id="reconciliation-hold"' not in client.get("/").text

    run = net.hub.start_reconciliation(["XXB01"])
    net.hub.deliver_pending(net.transport)

    assert client.get("/api/v1/health").json()["reconciliation"] == {
        "reconciliation_id": run,
        "until": "2026-06-01T13:00:30Z",
    }
    banner = client.get("/").text
    assert 'id="reconciliation-hold"' in banner and "2026-06-01 13:00:30 UTC" in banner
    net.settle()
    assert client.get("/api/v1/health").json()["reconciliation"] is None


def test_the_hold_ends_by_itself_at_its_deadline_when_the_result_is_lost(network, clock):
    net, accounts = network
    run = reconcile_losing_the_result_to(net, "XXB01")

    clock.advance(timedelta(minutes=59))
    net.nodes["XXB01"].ask_about_overdue()
    assert refusal(lambda: link(net, accounts))[0] == "C2006"

    clock.advance(timedelta(minutes=1))
    net.nodes["XXB01"].ask_about_overdue()
    assert holds_in(net) == {}
    assert journalled(net, "XXB01", run)[-1][1]["reason"] == "its deadline passed"
    assert link(net, accounts).status == "completed"

    net.transport.intercept = None
    net.settle()  # the result, arriving late, changes nothing
    assert holds_in(net) == {}
    assert_sound(net)


def test_past_its_deadline_the_hold_refuses_nothing_though_no_protocol_loop_lifted_it(
    network, clock
):
    """The result is lost and nothing asks about what is overdue: at the deadline the registry
    transacts again, sends and acquires, and shows no hold; the lifting is journaled when the
    registry next looks at what is overdue."""
    net, accounts = network
    run = reconcile_losing_the_result_to(net, "XXB01")

    clock.advance(timedelta(minutes=59))
    assert refusal(lambda: link(net, accounts))[0] == "C2006"

    clock.advance(timedelta(minutes=1))
    assert holds_in(net) == {}
    assert link(net, accounts).status == "completed"
    sent = send(net, "XXB01", accounts[AMO], "IR", "XXA", 10)
    net.settle()
    back = send(net, "IR", itmo_holding(net, "IR", "XXA"), "XXB01", "XXB", 4)
    net.settle()  # XXB01 takes the proposal and acquires the units
    assert net.hub.transactions() == {sent.record: "completed", back.record: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)  # 10 linked, 10 sent
    assert holding(net, "XXB01", itmo_holding(net, "XXB01", "XXB")) == (4, 0)
    assert [event for event, _ in journalled(net, "XXB01", run)] == ["ReconciliationHoldPlaced"]

    net.nodes["XXB01"].ask_about_overdue()
    assert journalled(net, "XXB01", run)[-1] == (
        "ReconciliationHoldLifted",
        {"until": "2026-06-01T13:00:00+00:00", "reason": "its deadline passed"},
    )
    assert_sound(net)


def test_the_hub_refuses_a_proposal_to_a_registry_it_is_reconciling_with_and_the_units_return(
    network,
):
    net, accounts = network
    run = net.hub.start_reconciliation(["IR"])
    proposal = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)  # XXB01 is not held
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)

    net.nodes["XXB01"].deliver_pending(net.transport)
    assert net.hub.transactions() == {proposal.record: "terminated"}
    net.settle()

    assert net.hub.reconciliation(run) == {"IR": ("completed", [])}
    assert transfers(net.nodes["XXB01"].registry) == {proposal.record: "terminated"}
    assert transfers(net.nodes["IR"].registry) == {}
    ended = ledger.transaction(net.nodes["XXB01"].registry, SECRETARIAT, "XXB", proposal.record)
    assert ended.status == "terminated"
    assert ended.reason is not None and ended.reason.startswith(f"C2006 reconciliation {run}")
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)

    again = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.settle()
    assert net.hub.transactions()[again.record] == "completed"
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (100, 0)
    assert_sound(net)


def test_an_arrival_completed_while_the_acquiring_registry_is_still_held_is_acquired_after(
    network, clock
):
    """The hub's run with the IR lapses (its report is lost) before the IR's longer hold ends;
    the hub completes the transfer it kept open, and the IR acquires it when its hold ends
    rather than losing the outcome."""
    net, accounts = network
    ir = net.nodes["IR"]
    ir.hold_limit = timedelta(hours=2)
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD if wire["envelope"]["message_type"] == "TotalsReport" else Fate.DELIVER
    )  # held, and never released: lost on the way
    proposal = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.nodes["XXB01"].deliver_pending(net.transport)
    net.hub.deliver_pending(net.transport)  # the IR accepts; its answer waits in its outbox
    run = net.hub.start_reconciliation(["IR"])
    net.hub.deliver_pending(net.transport)
    ir.deliver_pending(net.transport)
    assert net.hub.transactions() == {proposal.record: "accepted"}  # kept open by the run

    clock.advance(timedelta(hours=1, minutes=1))  # the hub's run lapses; the IR is still held
    net.hub.expire_transfers()
    net.settle()
    assert net.hub.transactions() == {proposal.record: "completed"}
    assert transfers(ir.registry) == {proposal.record: "accepted"}
    assert holds_in(net) == {"IR": run}

    clock.advance(timedelta(hours=1))
    ir.ask_about_overdue()  # the hold ends at its deadline
    net.settle()
    assert transfers(ir.registry) == {proposal.record: "completed"}
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (100, 0)
    net.transport.intercept = None
    assert_sound(net)


def test_a_proposal_reaching_a_held_registry_is_rejected_with_c2006_and_the_units_return(network):
    net, accounts = network
    # The forwarded proposal is held up on the way, to arrive after the request for totals.
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD
        if wire["envelope"]["message_type"] == "TransferProposal" and peer.registry_id == "IR"
        else Fate.DELIVER
    )
    proposal = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.settle()
    net.transport.intercept = None
    run = net.hub.start_reconciliation(["IR"])
    net.hub.deliver_pending(net.transport)
    assert holds_in(net) == {"IR": run}

    [ack] = net.transport.release()
    assert ack.result == "received"  # answered through the normal evaluation, not refused
    net.settle()

    assert transfers(net.nodes["IR"].registry) == {proposal.record: "rejected"}
    assert transfers(net.nodes["XXB01"].registry) == {proposal.record: "rejected"}
    ended = ledger.transaction(net.nodes["XXB01"].registry, SECRETARIAT, "XXB", proposal.record)
    assert ended.reason is not None and "C2006" in ended.reason
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert net.hub.reconciliation(run) == {"IR": ("completed", [])}
    assert_sound(net)


def test_reconciliation_of_a_busy_network_finds_no_discrepancy(network):
    """Transfers at every stage when the run starts: completed; accepted by the IR, its answer
    on the way to the hub; checked by the hub, the proposal on its way to the IR; proposed by
    the IR and not yet at the hub. Users keep trying to transact during the run."""
    net, accounts = network
    xxb01 = net.nodes["XXB01"]
    xxa_itmo = itmo_holding(net, "IR", "XXA")
    done = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.settle()
    accepted = send(net, "XXB01", accounts[AMO], "IR", "XXA", 50)
    xxb01.deliver_pending(net.transport)
    net.hub.deliver_pending(net.transport)
    checked = send(net, "XXB01", accounts[AMO], "IR", "XXA", 30)
    xxb01.deliver_pending(net.transport)
    proposed = send(net, "IR", xxa_itmo, "XXB01", "XXB", 20)
    assert net.hub.transactions() == {
        done.record: "completed",
        accepted.record: "checked",
        checked.record: "checked",
    }

    run = net.hub.start_reconciliation()
    net.hub.deliver_pending(net.transport)
    assert holds_in(net) == {"IR": run, "XXB01": run}
    assert refusal(lambda: link(net, accounts))[0] == "C2006"
    assert refusal(lambda: send(net, "IR", xxa_itmo, "XXB01", "XXB", 5))[0] == "C2006"
    net.settle()

    assert net.hub.reconciliation(run) == {"IR": ("completed", []), "XXB01": ("completed", [])}
    # The IR's totals agreed at once: its proposal is pending there only because the hub's
    # refusal, decided during the run, reaches it after its snapshot. (XXB01's went on to the
    # blocks, where the hub learns the units XXB01 issued itself.)
    assert phases(net, run)["IR"] == "totals"
    assert holds_in(net) == {}
    assert net.hub.transactions() == {
        done.record: "completed",
        accepted.record: "completed",  # kept open while the runs lasted, then completed
        checked.record: "completed",
        proposed.record: "terminated",  # reached the hub during the run (C2006)
    }
    assert holding(net, "XXB01", accounts[AMO]) == (420, 0)
    assert holding(net, "IR", xxa_itmo) == (180, 0)
    assert link(net, accounts).status == "completed"
    assert_sound(net)
