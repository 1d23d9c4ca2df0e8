"""The forms that create or move units, each in three steps: fill in, see what will happen
(every check run, nothing kept: `services.preview`), confirm. And the approvals inbox's
approve, reject and withdraw buttons.

A refused form comes back as the user typed it, with each refusal's check code by its field.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from article6.api.problems import status_of
from article6.api.security import Registry_
from article6.domain.accounts import AccountKind, CancellationPurpose
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.interop.outgoing import (
    ProposeExternalTransfer,
    connected_to_hub,
    propose_external_transfer,
)
from article6.services import approvals, directory, listing, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.preview import preview
from article6.services.views import Receipt
from article6.web.forms import Fields, build, errors_by_field, fields_of, unit_selection
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
Options = list[tuple[str, str]]
HOLDING = (AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING)
AUTHORIZED = (AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING)
PURPOSES = {
    CancellationPurpose.IMP: "IMP — international mitigation purposes (e.g. CORSIA)",
    CancellationPurpose.OP: "OP — other purposes",
    CancellationPurpose.OMGE: "OMGE — overall mitigation in global emissions",
    CancellationPurpose.VOLUNTARY: "Voluntary cancellation",
}


@dataclass(frozen=True)
class Input:
    """One form field: its name (the command's), label, kind and where its choices come from."""

    name: str
    label: str
    kind: str = (
        "text"  # text | number | select | account (text with suggestions) | textarea | units
    )
    hint: str = ""
    required: bool = True
    choices: str | None = None
    empty: str | None = None


@dataclass(frozen=True)
class UnitAction:
    slug: str
    title: str
    intro: str
    permission: str
    service: Callable[[Registry, Any, Any, str | None], Receipt]
    inputs: tuple[Input, ...]
    command: Callable[[Fields, str], BaseModel]
    extra: dict[str, str] = field(default_factory=dict)
    connected_only: bool = False  # offered only by a registry connected to the hub


UNITS = Input("units", "Units", "units")


def _source(kinds: str, label: str = "From account") -> Input:
    return Input("source_account", label, "select", choices=kinds)


ACTIONS: dict[str, UnitAction] = {
    a.slug: a
    for a in (
        UnitAction(
            "issue",
            "Issue units",
            "Issue mitigation outcomes for a mitigation activity of the Party: as MOs into the "
            "MO holding account, or, when an authorization whose first transfer is at issuance "
            "is named, directly as ITMOs.",
            "administer",
            units.issue_units,
            (
                Input("mitigation_activity", "Mitigation activity", "select", choices="activities"),
                Input("vintage", "Vintage (year the mitigation took place)", "number"),
                Input("quantity", "Quantity (t CO2e)", "number"),
                Input(
                    "authorization_id",
                    "Authorization",
                    "select",
                    required=False,
                    choices="authorizations",
                    empty="None — issue as MOs (not yet authorized)",
                ),
            ),
            lambda f, _r: build(
                c.IssueUnits,
                {
                    "mitigation_activity": f.text("mitigation_activity"),
                    "vintage": f.number("vintage"),
                    "quantity": f.number("quantity"),
                    "authorization_id": f.text("authorization_id"),
                },
            ),
        ),
        UnitAction(
            "link",
            "Link an authorization to MOs",
            "Authorized MOs become AMOs in the AMO holding account of the cooperative approach "
            "(or ITMOs, when the authorization says authorization is the first transfer).",
            "administer",
            units.link_authorization,
            (
                Input("account", "MO holding account", "select", choices="mo"),
                Input("authorization_id", "Authorization", "select", choices="authorizations"),
                UNITS,
            ),
            lambda f, r: build(
                c.LinkAuthorization,
                {
                    "account": f.text("account"),
                    "authorization_id": f.text("authorization_id"),
                    "units": unit_selection(f, r),
                },
            ),
        ),
        UnitAction(
            "transfer",
            "Internal transfer",
            "Move units between holding accounts of the same kind within this Party section, "
            "for example from the Party to one of its authorized entities.",
            "move_units",
            units.transfer_units,
            (
                _source("holding"),
                Input(
                    "destination_account",
                    "To account (number)",
                    "account",
                    hint="A holding account of the same kind and cooperative approach in this "
                    "section; pick one or type its number.",
                    choices="holding_all",
                ),
                UNITS,
            ),
            lambda f, r: build(
                c.TransferUnits,
                {
                    "source_account": f.text("source_account"),
                    "destination_account": f.text("destination_account"),
                    "units": unit_selection(f, r),
                },
            ),
        ),
        UnitAction(
            "international-transfer",
            "International transfer",
            "Transfer authorized units to another Party's ITMO holding account. For units not "
            "yet first transferred this is their first transfer.",
            "move_units",
            units.transfer_internationally,
            (
                _source("authorized"),
                Input(
                    "destination_account",
                    "To account (the other Party's ITMO holding account number)",
                    hint="The receiving Party gives you its account number, e.g. XXC01-000003.",
                ),
                UNITS,
            ),
            lambda f, r: build(
                c.TransferInternationally,
                {
                    "source_account": f.text("source_account"),
                    "destination_account": f.text("destination_account"),
                    "units": unit_selection(f, r),
                },
            ),
        ),
        UnitAction(
            "external-transfer",
            "Transfer to another registry",
            "Transfer authorized units to an account in another registry connected through the "
            "interoperability hub, such as another Party's own registry. The units stay "
            "reserved here until the hub reports the acquiring registry's answer; for units not "
            "yet first transferred this is their first transfer.",
            "move_units",
            propose_external_transfer,
            (
                _source("authorized"),
                Input(
                    "acquiring_registry",
                    "To registry (its code)",
                    hint="The code of the registry in the hub's directory, e.g. XXB01 or IR.",
                ),
                Input(
                    "acquiring_account",
                    "To account (its number in that registry)",
                    hint="The acquiring Party gives you its account number, e.g. XXB01-000004.",
                ),
                Input(
                    "acquiring_party",
                    "Acquiring Party (its code)",
                    hint="The Party that holds the account, e.g. XXB.",
                ),
                UNITS,
            ),
            lambda f, r: build(
                ProposeExternalTransfer,
                {
                    "source_account": f.text("source_account"),
                    "acquiring_registry": f.text("acquiring_registry"),
                    "acquiring_account": f.text("acquiring_account"),
                    "acquiring_party": f.text("acquiring_party"),
                    "units": unit_selection(f, r),
                },
            ),
            connected_only=True,
        ),
        UnitAction(
            "use",
            "Use towards NDC",
            "Use ITMOs held by the Party towards its nationally determined contribution.",
            "move_units",
            units.use_towards_ndc,
            (
                _source("party_itmo"),
                Input("ndc_year", "NDC year", "number", hint="A year of the NDC period."),
                UNITS,
            ),
            lambda f, r: build(
                c.UseTowardsNDC,
                {
                    "source_account": f.text("source_account"),
                    "ndc_year": f.number("ndc_year"),
                    "units": unit_selection(f, r),
                },
            ),
        ),
        UnitAction(
            "cancel",
            "Cancel units",
            "Cancel authorized units for international mitigation purposes (e.g. CORSIA), other "
            "purposes, overall mitigation in global emissions, or voluntarily.",
            "move_units",
            units.cancel_units,
            (
                _source("authorized"),
                Input("purpose", "Purpose", "select", choices="purposes"),
                Input(
                    "purpose_text",
                    "Purpose in words",
                    hint="Required for IMP and OP, e.g. CORSIA.",
                    required=False,
                ),
                UNITS,
            ),
            lambda f, r: build(
                c.CancelUnits,
                {
                    "source_account": f.text("source_account"),
                    "purpose": f.text("purpose"),
                    "purpose_text": f.text("purpose_text"),
                    "units": unit_selection(f, r),
                },
            ),
        ),
        UnitAction(
            "first-transfer",
            "Record a first transfer (manual)",
            "The administrators' manual recording of a first transfer: AMOs become ITMOs in the "
            "ITMO holding account, with the reason journaled.",
            "administer",
            units.record_first_transfer,
            (
                Input("account", "AMO holding account", "select", choices="amo"),
                Input("reason", "Reason", "textarea"),
                UNITS,
            ),
            lambda f, r: build(
                c.RecordFirstTransfer,
                {
                    "account": f.text("account"),
                    "reason": f.text("reason"),
                    "units": unit_selection(f, r),
                },
            ),
        ),
    )
}


def registry_id(registry: Registry, viewer: Viewer) -> str:
    for party in directory.parties_list(registry, viewer.actor):
        if party.code == viewer.party:
            return party.registry_id or party.code
    return viewer.party


def choices(registry: Registry, viewer: Viewer) -> dict[str, Options]:
    """The choices the selects offer: the accounts this user sees, the section's activities
    and authorizations."""
    found = listing.accounts_list(registry, viewer.actor, viewer.party)
    own = [a for a in found if viewer.entity is None or a.holder == viewer.entity]

    def accounts(kinds: tuple[AccountKind, ...], among: Any = own, party: bool = False) -> Options:
        return [
            (a.identifier, f"{a.name} — {a.available:,} available · {a.identifier}")
            for a in among
            if AccountKind(a.kind) in kinds and (not party or a.holder == "PARTY")
        ]

    return {
        "holding": accounts(HOLDING),
        "holding_all": accounts(HOLDING, found),
        "authorized": accounts(AUTHORIZED),
        "mo": accounts((AccountKind.MO_HOLDING,)),
        "amo": accounts((AccountKind.AMO_HOLDING,)),
        "party_itmo": accounts((AccountKind.ITMO_HOLDING,), party=True),
        "activities": [
            (a.identifier, f"{a.title} · {a.identifier}")
            for a in directory.activities(registry, viewer.actor, viewer.party)
        ],
        "authorizations": [
            (a.authorization_id, f"{a.authorization_id} — {a.purposes} (version {a.version})")
            for a in directory.authorizations_list(registry, viewer.actor, viewer.party)
            if not a.revoked
        ],
        "purposes": [(p.value, label) for p, label in PURPOSES.items()],
    }


def action_of(slug: str) -> UnitAction:
    found = ACTIONS.get(slug)
    if found is None:
        raise CommandRefused([Refusal(Check.C1012, "action", f"there is no action {slug!r}")])
    return found


def form_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    action: UnitAction,
    values: dict[str, Any],
    refusals: list[Refusal] | None = None,
) -> Response:
    refusals = refusals or []
    return render(
        request,
        "action.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="actions",
        action=action,
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        choices=choices(registry, viewer),
    )


@router.get("/actions", response_class=HTMLResponse)
def actions_index(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return render(
        request,
        "actions.html",
        viewer=viewer,
        active="actions",
        actions=[
            a
            for a in ACTIONS.values()
            if viewer.may(a.permission) and (not a.connected_only or connected_to_hub(registry))
        ],
        purposes=PURPOSES,
    )


@router.get("/actions/{slug}", response_class=HTMLResponse)
def action_form(
    request: Request, slug: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    return form_page(request, viewer, registry, action_of(slug), form.kept())


@router.post("/actions/{slug}", response_class=HTMLResponse)
def action_submit(
    request: Request, slug: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    action = action_of(slug)
    values = form.kept()
    step = form.get("step", "preview")
    if step == "edit":
        return form_page(request, viewer, registry, action, values)
    try:
        command = action.command(form, registry_id(registry, viewer))
        if step == "confirm":
            key = form.text("idempotency_key")
            receipt = action.service(registry, viewer.actor, command, key[:200] if key else None)
            return RedirectResponse(
                f"/transactions/{receipt.record}?done={action.slug}", status_code=303
            )
        rehearsed = preview(registry, action.service, viewer.actor, command)
    except CommandRefused as refused:
        return form_page(request, viewer, registry, action, values, refused.refusals)
    values["idempotency_key"] = str(uuid.uuid4())
    return render(
        request,
        "confirm.html",
        viewer=viewer,
        active="actions",
        action=action,
        values=values,
        p=rehearsed,
        names={
            a.identifier: a.name
            for a in listing.accounts_list(registry, viewer.actor, viewer.party)
        },
    )


@router.post("/approvals/{transaction}/{decision}")
def decide(
    transaction: str, decision: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Approve, reject (with a reason) or withdraw a request awaiting approval."""
    identifier = transaction[:40]
    if decision == "approve":
        approvals.approve_transaction(
            registry, viewer.actor, c.ApproveTransaction(transaction=identifier)
        )
    elif decision == "reject":
        command = build(
            c.RejectTransaction, {"transaction": identifier, "reason": form.text("reason")}
        )
        approvals.reject_transaction(registry, viewer.actor, command)
    elif decision == "withdraw":
        approvals.withdraw_transaction(
            registry, viewer.actor, c.WithdrawTransaction(transaction=identifier)
        )
    else:
        raise CommandRefused([Refusal(Check.C1012, "decision", f"no decision {decision!r}")])
    return RedirectResponse(f"/transactions/{identifier}?done={decision}", status_code=303)
