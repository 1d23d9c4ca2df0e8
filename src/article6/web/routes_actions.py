"""The forms that create or move units, each in three steps: fill in, see what will happen
(every check run, nothing kept: `services.preview`), confirm. The forms themselves are
described in `unit_actions`.

A refused form comes back as the user typed it, with each refusal's check code by its field.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from article6.domain.access import Actor, Confirmation
from article6.domain.accounts import AccountKind, CancellationPurpose
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.safeguards import SIGNED_COMMANDS, Standing, reference
from article6.domain.transactions import TransactionKind
from article6.domain.wording import words
from article6.http.problems import status_of
from article6.http.security import Registry_, Settings_, client_address
from article6.services import directory, safeguards
from article6.services.context import Registry
from article6.services.external_transfers import connected_to_hub
from article6.services.preview import preview
from article6.services.reads import ledger
from article6.services.signed_confirmation import WrongCode, count_wrong_code, digest_of
from article6.web.forms import Fields, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer
from article6.web.unit_actions import ACTIONS, UnitAction

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
Options = list[tuple[str, str]]
CODE_FIELD = "second_factor_code"
HOLDING = (AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING)
AUTHORIZED = (AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING)
PURPOSES = {
    CancellationPurpose.IMP: words("IMP — international mitigation purposes (e.g. CORSIA)"),
    CancellationPurpose.OP: words("OP — other purposes"),
    CancellationPurpose.OMGE: words("OMGE — overall mitigation in global emissions"),
    CancellationPurpose.VOLUNTARY: words("Voluntary cancellation"),
}


def registry_id(registry: Registry, viewer: Viewer) -> str:
    for party in directory.parties_list(registry, viewer.actor):
        if party.code == viewer.party:
            return party.registry_id or party.code
    return viewer.party


def choices(registry: Registry, viewer: Viewer) -> dict[str, Options]:
    """The choices the selects offer: the accounts this user sees (units leave only the
    accounts the user acts for: the entity's for its representatives, otherwise the Party's),
    the section's activities and authorizations."""
    found = ledger.accounts(registry, viewer.actor, viewer.party)
    own = [a for a in found if a.holder == (viewer.entity or "PARTY")]

    def accounts(kinds: tuple[AccountKind, ...], among: Any = own, party: bool = False) -> Options:
        return [
            (
                a.identifier,
                words(
                    "{name} — {available:,} available · {account}",
                    name=a.name,
                    available=a.available,
                    account=a.identifier,
                ),
            )
            for a in among
            if AccountKind(a.kind) in kinds and (not party or a.holder == "PARTY")
        ]

    return {
        "holding": accounts(HOLDING),
        "holding_all": accounts(HOLDING, found),
        "authorized": accounts(AUTHORIZED),
        # The Party administers its entities' units too (linking, first-transfer records).
        "mo": accounts((AccountKind.MO_HOLDING,), found),
        "amo": accounts((AccountKind.AMO_HOLDING,), found),
        "party_itmo": accounts((AccountKind.ITMO_HOLDING,), party=True),
        "activities": [
            (a.identifier, f"{a.title} · {a.identifier}")
            for a in directory.activities(registry, viewer.actor, viewer.party)
        ],
        "authorizations": [
            (
                a.authorization_id,
                words(
                    "{authorization} — {purposes} (version {version})",
                    authorization=a.authorization_id,
                    purposes=a.purposes,
                    version=a.version,
                ),
            )
            for a in directory.authorizations_list(registry, viewer.actor, viewer.party)
            if not a.revoked
        ],
        "purposes": [(p.value, label) for p, label in PURPOSES.items()],
    }


def action_of(slug: str) -> UnitAction:
    found = ACTIONS.get(slug)
    if found is None:
        raise CommandRefused(
            [Refusal(Check.C1012, "action", words("there is no action “{action}”", action=slug))]
        )
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
    request: Request,
    slug: str,
    viewer: Looking,
    registry: Registry_,
    settings: Settings_,
    form: Form,
) -> Response:
    action = action_of(slug)
    values = form.kept()
    values.pop(CODE_FIELD, None)  # a code is typed for one confirmation, never carried on
    step = form.get("step", "preview")
    if step == "edit":
        return form_page(request, viewer, registry, action, values)
    try:
        command = action.command(form, registry_id(registry, viewer))
    except CommandRefused as refused:
        return form_page(request, viewer, registry, action, values, refused.refusals)
    if step == "confirm":
        key = form.text("idempotency_key")
        try:
            receipt = action.service(
                registry, confirming(viewer, form), command, key[:200] if key else None
            )
        except CommandRefused as refused:
            if isinstance(refused, WrongCode):
                count_wrong_code(registry, settings, viewer.name, client_address(request))
            if all(r.check is Check.C4021 for r in refused.refusals):
                # the code was missing or wrong: the same preview again, the code asked anew
                return confirm_page(
                    request, viewer, registry, action, values, command, refused.refusals
                )
            return form_page(request, viewer, registry, action, values, refused.refusals)
        return RedirectResponse(
            f"/transactions/{receipt.record}?done={action.slug}", status_code=303
        )
    return confirm_page(request, viewer, registry, action, values, command)


def confirming(viewer: Viewer, form: Fields) -> Actor:
    """The viewer, with the code typed and the digest of the action previewed, if any."""
    code, digest = form.text(CODE_FIELD), form.text("action_digest")
    if code is None and digest is None:
        return viewer.actor
    return replace(viewer.actor, confirmation=Confirmation(code or "", digest or ""))


def confirm_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    action: UnitAction,
    values: dict[str, Any],
    command: BaseModel,
    refusals: list[Refusal] | None = None,
) -> Response:
    """What will happen (every check run, nothing kept), what the Party's safeguards say of it,
    and the confirm button; with the code field where the Party requires signed confirmation."""
    try:
        rehearsed = preview(registry, action.service, viewer.actor, command)
    except CommandRefused as refused:
        return form_page(request, viewer, registry, action, values, refused.refusals)
    t = rehearsed.transaction
    party = t.party if t is not None else viewer.party
    signing = type(command).__name__ in SIGNED_COMMANDS and safeguards.signed_confirmation_required(
        registry, party
    )
    values = {**values, "idempotency_key": str(uuid.uuid4())}
    digest = digest_of(viewer.actor, command)
    if signing:
        values["action_digest"] = digest
    trust = (
        safeguards.standing_now(
            registry,
            t.party,
            TransactionKind(t.kind),
            t.acquiring_party,
            t.destination_account or t.counterpart or "",
        )
        if t is not None
        else Standing.NOT_KEPT
    )
    seen = ledger.accounts(registry, viewer.actor, viewer.party)
    refusals = refusals or []
    return render(
        request,
        "confirm.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="actions",
        action=action,
        values=values,
        p=rehearsed,
        names={a.identifier: a.name for a in seen},
        payees=directory.payees(
            registry,
            viewer.actor,
            [t.destination_account or ""] if t else [],
        ),
        purposes={p.value: label for p, label in PURPOSES.items()},
        signing=signing,
        reference=reference(digest),
        trust=trust,
        refusals=refusals,
        errors=errors_by_field(refusals),
    )
