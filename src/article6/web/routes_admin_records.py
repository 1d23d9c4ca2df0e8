"""The administration pages for a section's authorized entities and accounts: record an entity
(which opens its accounts), see one with its accounts, representatives and status per
cooperative approach, suspend, reinstate or revoke it (a revocation shown first with what
becomes of its holdings); open another account for the Party or an entity (shown first, then
confirmed); block, unblock or close an account (a holding account closes only once empty,
C4001). The services decide, as for the API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.accounts import PARTY_HOLDER, AccountKind, Container
from article6.domain.checks import CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import accounts, authorized_entities, directory, identity
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.preview import preview
from article6.services.reads import ledger
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.routes_admin import administering
from article6.web.session import ROLE_NAMES, Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
ACCOUNT_ACTIONS = {"blocked": words("Block"), "open": words("Unblock"), "closed": words("Close")}


def entities_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any],
    refusals: list[Refusal],
) -> Response:
    return render(
        request,
        "admin_entities.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="admin",
        entities=directory.entities_list(registry, viewer.actor, viewer.party),
        approaches=[a.id for a in directory.approaches_list(registry, viewer.actor, viewer.party)],
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        done=request.query_params.get("done", "")[:40],
    )


@router.get("/admin/entities", response_class=HTMLResponse)
def entities(request: Request, viewer: Looking, registry: Registry_) -> Response:
    administering(viewer)
    return entities_page(request, viewer, registry, {"country_of_incorporation": viewer.party}, [])


@router.post("/admin/entities", response_class=HTMLResponse)
def record_entity(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    administering(viewer)
    try:
        command = build(
            c.RecordAuthorizedEntity,
            {
                "name": form.text("name"),
                "country_of_incorporation": form.text("country_of_incorporation"),
                "identification_number": form.text("identification_number"),
                "cooperative_approach": form.text("cooperative_approach"),
                "date_of_authorization": form.text("date_of_authorization"),
                "conditions": form.text("conditions"),
            },
        )
        receipt = authorized_entities.record_authorized_entity(registry, viewer.actor, command)
    except CommandRefused as refused:
        return entities_page(request, viewer, registry, form.kept(), refused.refusals)
    return RedirectResponse(f"/admin/entities/{quote(receipt.record)}?done=recorded", 303)


@router.get("/admin/entities/{entity}", response_class=HTMLResponse)
def entity_detail(request: Request, entity: str, viewer: Looking, registry: Registry_) -> Response:
    """The entity, its accounts, its representatives and its status per approach."""
    administering(viewer)
    return entity_page(request, viewer, registry, entity[:40], [])


def entity_page(
    request: Request, viewer: Viewer, registry: Registry, entity: str, refusals: list[Refusal]
) -> Response:
    found = directory.entities_list(registry, viewer.actor, viewer.party, entity)[0]
    held = [
        a
        for a in ledger.accounts(registry, viewer.actor, viewer.party)
        if a.holder == found.identifier
    ]
    people = [
        u
        for u in identity.list_users(registry, viewer.actor, viewer.party)
        if any(g.entity == found.identifier for g in u.grants)
    ]
    return render(
        request,
        "admin_entity.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="admin",
        entity=found,
        accounts=held,
        representatives=people,
        roles=ROLE_NAMES,
        refusals=refusals,
        done=request.query_params.get("done", "")[:40],
    )


@router.post("/admin/entities/{entity}/status", response_class=HTMLResponse)
def entity_status(
    request: Request, entity: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Suspend or reinstate the entity for one cooperative approach, or revoke it there: a
    revocation is final, so it is shown first with what becomes of the entity's holdings
    (`authorized_entities.revocation_effect`) and done only on `step=confirm`."""
    administering(viewer)
    identifier = entity[:40]
    try:
        command = build(
            c.SetEntityStatus,
            {
                "entity": identifier,
                "cooperative_approach": form.text("cooperative_approach"),
                "status": form.text("status"),
            },
        )
        if command.status == "revoked" and form.get("step") != "confirm":
            effect = authorized_entities.revocation_effect(
                registry, viewer.actor, viewer.party, identifier, command.cooperative_approach
            )
            return render(
                request,
                "admin_entity_revoke.html",
                viewer=viewer,
                active="admin",
                entity=directory.entities_list(registry, viewer.actor, viewer.party, identifier)[0],
                effect=effect,
                idempotency_key=str(uuid.uuid4()),
            )
        key = (form.text("idempotency_key") or "")[:200] or None
        authorized_entities.set_entity_status(registry, viewer.actor, command, key)
    except CommandRefused as refused:
        return entity_page(request, viewer, registry, identifier, refused.refusals)
    return RedirectResponse(f"/admin/entities/{quote(command.entity)}?done={command.status}", 303)


@router.get("/admin/accounts", response_class=HTMLResponse)
def account_list(request: Request, viewer: Looking, registry: Registry_) -> Response:
    administering(viewer)
    return accounts_page(request, viewer, registry, {"holder": PARTY_HOLDER}, [])


def accounts_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any],
    refusals: list[Refusal],
) -> Response:
    found = ledger.accounts(registry, viewer.actor, viewer.party)
    return render(
        request,
        "admin_accounts.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="admin",
        containers=[(k.value, [a for a in found if a.container == k.value]) for k in Container],
        actions=ACCOUNT_ACTIONS,
        done=request.query_params.get("done", "")[:40],
        done_account=request.query_params.get("account", "")[:40],
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        **opening_choices(registry, viewer),
    )


def opening_choices(registry: Registry, viewer: Viewer) -> dict[str, Any]:
    """The kinds the registry has, the section's cooperative approaches and the holders an
    account may be opened for: the Party, or one of its entities."""
    return {
        "kinds": [(k.value, k.label) for k in AccountKind],
        "opening_approaches": [
            (a.id, a.id) for a in directory.approaches_list(registry, viewer.actor, viewer.party)
        ],
        "holders": [(PARTY_HOLDER, words("The Party {party}", party=viewer.party))]
        + [
            (e.identifier, f"{e.identifier} — {e.name}")
            for e in directory.entities_list(registry, viewer.actor, viewer.party)
        ],
    }


@router.post("/admin/accounts", response_class=HTMLResponse)
def open_account(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    """Open an account: the first step shows the account that would be opened (its number,
    name and holder, rehearsed: nothing kept); `step=confirm` opens it (C4029 decides)."""
    administering(viewer)
    try:
        command = build(
            c.OpenAccount,
            {
                "kind": form.text("kind"),
                "cooperative_approach": form.text("cooperative_approach"),
                "holder": form.text("holder") or PARTY_HOLDER,
            },
        )
        if form.get("step") != "confirm":
            rehearsed = preview(registry, accounts.open_account, viewer.actor, command)
            holders = dict(opening_choices(registry, viewer)["holders"])
            return render(
                request,
                "admin_account_open.html",
                viewer=viewer,
                active="admin",
                command=command,
                identifier=rehearsed.receipt.record,
                holder=holders.get(command.holder, command.holder),
                container=command.kind.container.value,
                idempotency_key=str(uuid.uuid4()),
            )
        key = (form.text("idempotency_key") or "")[:200] or None
        receipt = accounts.open_account(registry, viewer.actor, command, key)
    except CommandRefused as refused:
        return accounts_page(request, viewer, registry, form.kept(), refused.refusals)
    return RedirectResponse(f"/admin/accounts?done=opened&account={quote(receipt.record)}", 303)


@router.post("/admin/accounts/{account}/status", response_class=HTMLResponse)
def account_status(
    request: Request, account: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Block, unblock or close; a holding account still holding units stays open (C4001)."""
    administering(viewer)
    command = build(c.SetAccountStatus, {"account": account[:40], "status": form.text("status")})
    accounts.set_account_status(registry, viewer.actor, command)
    return RedirectResponse(
        f"/admin/accounts?done={command.status.value}&account={quote(command.account)}", 303
    )
