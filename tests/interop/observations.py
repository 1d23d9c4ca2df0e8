"""What every interoperability test checks at the end: each ledger verifies, reconciliation
finds nothing, no unit is in two registries, none is lost, and every transfer is completed on
both sides or on neither."""

from __future__ import annotations

from sqlalchemy import func, select

from article6.demo.network import XXB_ADMIN, Network, accounts_of
from article6.demo.world import XXA_ADMIN
from article6.services.commands import UnitSelection
from article6.services.external_transfer_status import transfers
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt
from article6.store import account_pages
from article6.store.database import unit_of_work
from article6.store.schema import transaction_blocks, transactions, unit_blocks

ACTORS = {"XXB01": XXB_ADMIN, "IR": XXA_ADMIN}


class Deadlock(Exception):
    """What the PostgreSQL driver raises when the server picks a transaction as a deadlock's
    victim (SQLSTATE 40P01): `execute` runs the command again."""

    sqlstate = "40P01"


def send(
    network: Network, source: str, source_account: str, to: str, party: str, quantity: int
) -> Receipt:
    return propose_external_transfer(
        network.nodes[source].registry,
        ACTORS[source],
        ProposeExternalTransfer(
            source_account=source_account,
            acquiring_registry=to,
            acquiring_account=itmo_holding(network, to, party),
            acquiring_party=party,
            units=UnitSelection(quantity=quantity),
        ),
    )


def itmo_holding(network: Network, registry: str, party: str) -> str:
    return accounts_of(network.nodes[registry].registry, party)[f"{party} Party itmo_holding"]


def holding(network: Network, registry: str, account: str) -> tuple[int, int]:
    """(quantity, reserved) of an account."""
    with unit_of_work(network.nodes[registry].registry.engine, read_only=True) as connection:
        row = account_pages.account_with_holding(connection, account)
    assert row is not None, f"{account} is not an account of {registry}"
    return row.quantity, row.reserved


def ranges(network: Network, registry: str) -> list[tuple[str, int, int]]:
    with unit_of_work(network.nodes[registry].registry.engine, read_only=True) as connection:
        return [
            (r.registry_id, r.serial_first, r.serial_last)
            for r in connection.execute(select(unit_blocks))
        ]


def issued(network: Network, registry: str) -> int:
    with unit_of_work(network.nodes[registry].registry.engine, read_only=True) as connection:
        moved = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1
        return int(
            connection.execute(
                select(func.coalesce(func.sum(moved), 0))
                .select_from(transaction_blocks.join(transactions))
                .where(transactions.c.kind == "issuance", transactions.c.status == "completed")
            ).scalar_one()
        )


def assert_sound(network: Network) -> None:
    for name, node in network.nodes.items():
        assert verify_registry(node.registry) == [], name
    everywhere = [(name, r) for name in network.nodes for r in ranges(network, name)]
    for index, (here, (code, first, last)) in enumerate(everywhere):
        for there, (other, f, la) in everywhere[index + 1 :]:
            assert not (code == other and first <= la and f <= last), (
                f"{code} [{max(first, f)}, {min(last, la)}] is in {here} and {there}"
            )
    total_issued = sum(issued(network, name) for name in network.nodes)
    total_held = sum(la - f + 1 for _, (_, f, la) in everywhere)
    assert total_held == total_issued, "units were lost or created"
    statuses = {name: transfers(node.registry) for name, node in network.nodes.items()}
    hub = network.hub.transactions()
    for name, known in statuses.items():
        for transaction_id, status in known.items():
            assert status in ("completed", "rejected", "terminated", "cancelled"), (
                f"{transaction_id} is still {status} in {name}"
            )
            others = [
                s[transaction_id] for n, s in statuses.items() if n != name and transaction_id in s
            ]
            completed = [status == "completed", *(o == "completed" for o in others)]
            if transaction_id in hub:
                completed.append(hub[transaction_id] == "completed")
            assert all(completed) or not any(completed), f"{transaction_id}: {status} {others}"
    results = network.reconcile()
    assert results and all(result == ("completed", []) for result in results.values()), results
