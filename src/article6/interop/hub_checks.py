"""The hub's checks of a transfer proposal (C6101-C6105), after the ITL's (RULES.md 8.7), and
whose transaction an id is (C6107).

The units are in the transferring registry, not used, cancelled or in another transfer, in no
other registry, and their authorization allows the transfer to the acquiring Party. While a
reconciliation run with either registry is open, the proposal is refused (C2006, the ITL's 3016).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.messages import TransferProposal
from article6.domain.protocol import Range, uncovered
from article6.domain.wire_forms import authorized_transfer
from article6.domain.wording import words
from article6.interop import directory, register
from article6.interop.reconciliation_runs import open_runs
from article6.store import hub_register
from article6.store.database import aware


def numbered_by(connection: Connection, sender: str, transaction_id: str) -> bool:
    """Whether `transaction_id` is numbered under one of the sender's codes in the hub's
    directory (its own, those it issues under, its sections'). The signature, checked on
    receipt, says who sent; the code says whose the id is."""
    prefix, dash, _number = transaction_id.rpartition("-")
    peer = directory.peer(connection, sender)
    return bool(dash) and peer is not None and prefix in peer.numbering_codes


def require_numbered_by(connection: Connection, sender: str, transaction_id: str) -> None:
    """C6107 unless the sender numbers `transaction_id`: no registry takes another's ids."""
    if not numbered_by(connection, sender, transaction_id):
        raise refuse(
            Check.C6107,
            "transaction_id",
            words(
                "{transaction_id} is not numbered under a code of {sender}",
                transaction_id=transaction_id,
                sender=sender,
            ),
        )


def check_proposal(
    connection: Connection, sender: str, proposal: TransferProposal, now: datetime
) -> list[Refusal]:
    """The hub's checks of a proposal, every failure with the block it concerns."""
    problems: list[Refusal] = []
    if proposal.transferring_registry != sender:
        problems.append(
            Refusal(
                Check.C6002,
                "transferring_registry",
                words("sent by {sender}, not by it", sender=sender),
            )
        )
    acquiring = directory.peer(connection, proposal.acquiring_registry)
    if acquiring is None or not acquiring.connected or acquiring.registry_id == sender:
        problems.append(
            Refusal(
                Check.C4005,
                "acquiring_registry",
                words(
                    "{acquiring_registry} is not another connected registry",
                    acquiring_registry=proposal.acquiring_registry,
                ),
            )
        )
    if aware(proposal.expires_at) <= now:
        problems.append(Refusal(Check.C6105, "expires_at", words("the deadline has passed")))
    runs = open_runs(connection, [sender, proposal.acquiring_registry], now)
    for field, registry in (
        ("transferring_registry", sender),
        ("acquiring_registry", proposal.acquiring_registry),
    ):
        if registry in runs:
            problems.append(
                Refusal(
                    Check.C2006,
                    field,
                    words(
                        "reconciliation {reconciliation} with {registry} is in progress",
                        reconciliation=runs[registry],
                        registry=registry,
                    ),
                )
            )
    if proposal.quantity != sum(b.quantity for b in proposal.blocks):
        problems.append(Refusal(Check.C6001, "quantity", words("the blocks do not add up")))
    issuer = directory.peer(connection, sender)
    issuer_codes = issuer.issuer_codes if issuer else ()
    for block in proposal.blocks:
        where = f"blocks:{block.label}"
        wanted = Range(block.originating_registry, block.first, block.last)
        known = hub_register.overlapping(connection, wanted)
        for location in known:
            if location.registry != sender:
                problems.append(
                    Refusal(
                        Check.C6103,
                        where,
                        words("recorded in {registry}", registry=location.registry),
                    )
                )
            elif location.state not in (register.HELD, "AMO", "ITMO"):
                problems.append(
                    Refusal(
                        Check.C6102, where, words("the units are {state}", state=location.state)
                    )
                )
            elif location.transaction_id is not None:
                problems.append(
                    Refusal(
                        Check.C6102,
                        where,
                        words(
                            "in pending transfer {transaction_id}",
                            transaction_id=location.transaction_id,
                        ),
                    )
                )
        if uncovered(wanted, [k.range for k in known]) and (
            block.originating_registry not in issuer_codes
        ):
            problems.append(
                Refusal(
                    Check.C6101,
                    where,
                    words(
                        "not recorded in {sender}, and {sender} does not issue units of "
                        "{originating_registry}",
                        sender=sender,
                        originating_registry=block.originating_registry,
                    ),
                )
            )
        try:
            authorized_transfer(proposal, block, Check.C6104)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
    return problems
