"""Parties and their sections: registering a Party opens its section with the standard
accounts of each cooperative approach it takes part in, and a section chooses which kinds of
transaction need a second person's approval. Each is one transaction and one journal entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from article6.domain import identifiers
from article6.domain.access import Actor, Permission
from article6.domain.accounts import PARTY_SECTION_KINDS, AccountKind, account_name
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import account_register, approval_policies, identity, participation, sections

PENDING_DAYS = 7


def open_standard_accounts(
    connection: Connection, party: str, registry_id: str, cooperative_approach: str, at: datetime
) -> None:
    for kind in PARTY_SECTION_KINDS:
        account_register.open_account(
            connection,
            party_code=party,
            registry_id=registry_id,
            kind=kind,
            cooperative_approach=cooperative_approach,
            at=at,
            name=account_name(party, kind, cooperative_approach),
        )


def register_party(
    registry: Registry, actor: Actor, command: c.RegisterParty, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        allow(actor, Permission.REGISTRY_SETUP, None)
        return record_party(connection, registry, actor, command)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def record_party(
    connection: Connection, registry: Registry, actor: Actor, command: c.RegisterParty
) -> Receipt:
    """Register the Party (if new) and open its section, inside a command that decided access
    (registering a Party, or opening the section a joining request asked for)."""
    code = identifiers.party_code(command.code, "code")
    if not (identifiers.FIRST_VINTAGE <= command.ndc_first_year <= command.ndc_last_year <= 2100):
        raise refuse(
            Check.C1009,
            "ndc_last_year",
            words("the NDC implementation period runs from its first to its last year"),
        )
    now = registry.now()
    if sections.party(connection, code) is None:
        participation.insert_party(
            connection,
            sections.Party(
                code=code,
                name=command.name,
                ndc_first_year=command.ndc_first_year,
                ndc_last_year=command.ndc_last_year,
                participation_status="active",
                created_at=now,
            ),
        )
    registry_id = f"{code}{command.registry_number:02d}"
    if command.open_section and sections.section(connection, code) is None:
        sections.open_section(
            connection,
            sections.PartySection(
                party_code=code,
                registry_id=registry_id,
                next_serial=1,
                next_transaction=1,
                next_account=1,
                pending_days=PENDING_DAYS,
                opened_at=now,
            ),
        )
        account_register.open_account(
            connection,
            party_code=code,
            registry_id=registry_id,
            kind=AccountKind.MO_HOLDING,
            cooperative_approach=None,
            at=now,
            name=account_name(code, AccountKind.MO_HOLDING, None),
        )
        for ca_id in participation.approaches_of(connection, code):
            open_standard_accounts(connection, code, registry_id, ca_id, now)
    log(
        connection,
        registry,
        actor,
        "PartyRegistered",
        code,
        code,
        command.model_dump(mode="json"),
    )
    return Receipt(command="RegisterParty", record=code, status="recorded")


def set_approval_policy(
    registry: Registry,
    actor: Actor,
    command: c.SetApprovalPolicy,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        allow(actor, Permission.ADMINISTER, section.party_code)
        if command.four_eyes:
            approvers = identity.approvers_in(connection, section.party_code)
            if len(approvers) < 2:
                raise refuse(
                    Check.C4017,
                    "four_eyes",
                    words(
                        "{party}'s section has 1 person who may approve; under four eyes nobody "
                        "could approve that person's own requests, which could only expire: give "
                        "a second user the administrator role first",
                        party=section.party_code,
                    )
                    if len(approvers) == 1
                    else words(
                        "{party}'s section has no one who may approve yet",
                        party=section.party_code,
                    ),
                )
        approval_policies.set_policy(
            connection, section.party_code, command.kind.value, command.four_eyes
        )
        log(
            connection,
            registry,
            actor,
            "ApprovalPolicySet",
            section.party_code,
            command.kind.value,
            command.model_dump(mode="json"),
        )
        return Receipt(
            command="SetApprovalPolicy",
            record=command.kind.value,
            status="four-eyes" if command.four_eyes else "single",
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)
