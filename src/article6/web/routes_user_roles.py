"""Adding a user and granting or revoking roles from the users' page, in the section the
administrator acts in (the secretariat: in the section chosen). `services.identity` decides
who may grant what (`domain.access.permits_grant`: C4002, C4006) and whose user it is
(`may_manage`); the page only gathers the fields and shows the refusal beside the one it
names."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.access import REGISTRY_WIDE_ROLES, Role
from article6.domain.checks import CommandRefused, Refusal
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import directory, identity
from article6.services.context import Registry
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.routes_admin import administering
from article6.web.session import ROLE_NAMES, Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
SECTION_ROLES = (Role.ADMINISTRATOR, Role.PARTY_USER, Role.ENTITY, Role.AUDITOR)
WIDE_ROLES = tuple(r for r in Role if r in REGISTRY_WIDE_ROLES)
"""The registry-wide roles (`domain.access.REGISTRY_WIDE_ROLES`), offered to the secretariat,
the only one who grants them (C4002)."""


def choices(registry: Registry, viewer: Viewer) -> dict[str, Any]:
    return {
        "section_roles": [(r.value, ROLE_NAMES[r]) for r in SECTION_ROLES],
        "wide_roles": [(r.value, ROLE_NAMES[r]) for r in WIDE_ROLES],
        "grants_wide": viewer.actor.role is Role.SECRETARIAT,
        "entities": [
            (e.identifier, f"{e.identifier} — {e.name}")
            for e in directory.entities_list(registry, viewer.actor, viewer.party)
        ],
    }


def new_user_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any],
    refusals: list[Refusal],
) -> Response:
    values.pop("password", None)  # never shown back
    return render(
        request,
        "user_new.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="users",
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        **choices(registry, viewer),
    )


@router.get("/users/new", response_class=HTMLResponse)
def new_user(request: Request, viewer: Looking, registry: Registry_) -> Response:
    administering(viewer)
    return new_user_page(request, viewer, registry, {}, [])


@router.post("/users/new", response_class=HTMLResponse)
def create_user(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    """A user of the section with one role and a first password the administrator gives them."""
    administering(viewer)
    try:
        user = build(
            identity.CreateUser,
            {
                "name": form.text("name"),
                "display_name": form.text("display_name"),
                "password": form.get("password"),
            },
        )
        grant = build(
            identity.GrantRole,
            {"role": form.text("role"), "party": viewer.party, "entity": form.text("entity")},
        )
        identity.create_section_user(registry, viewer.actor, user, grant)
    except CommandRefused as refused:
        return new_user_page(request, viewer, registry, form.kept(), refused.refusals)
    return RedirectResponse(f"/users/{quote(user.name)}/roles?done=created", 303)


def roles_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    user: str,
    values: dict[str, Any],
    refusals: list[Refusal],
) -> Response:
    return render(
        request,
        "user_roles.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="users",
        user=identity.user_detail(registry, viewer.actor, user),
        roles=ROLE_NAMES,
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        done=request.query_params.get("done", "")[:20],
        **choices(registry, viewer),
    )


@router.get("/users/{user}/roles", response_class=HTMLResponse)
def user_roles(request: Request, user: str, viewer: Looking, registry: Registry_) -> Response:
    administering(viewer)
    return roles_page(request, viewer, registry, user[:80], {}, [])


@router.post("/users/{user}/roles/grant", response_class=HTMLResponse)
def grant(
    request: Request, user: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """The role in the section acted in, replacing any role the user holds there; with
    `scope=registry`, a registry-wide role (the secretariat's to grant, never to oneself)."""
    administering(viewer)
    name = user[:80]
    wide = form.get("scope") == "registry"
    try:
        command = build(
            identity.GrantRole,
            {
                "role": form.text("role"),
                "party": None if wide else viewer.party,
                "entity": None if wide else form.text("entity"),
            },
        )
        identity.grant_role(registry, viewer.actor, name, command)
    except CommandRefused as refused:
        kept = {**form.kept(), "wide": "registry"} if wide else form.kept()
        return roles_page(request, viewer, registry, name, kept, refused.refusals)
    return RedirectResponse(f"/users/{quote(name)}/roles?done=granted", 303)


@router.post("/users/{user}/roles/revoke", response_class=HTMLResponse)
def revoke(
    request: Request, user: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """The user's role in the section acted in (their other sections' roles stay), or with
    `scope=registry` their registry-wide role."""
    administering(viewer)
    name = user[:80]
    wide = form.get("scope") == "registry"
    try:
        identity.revoke_role(registry, viewer.actor, name, None if wide else viewer.party)
    except CommandRefused as refused:
        return roles_page(request, viewer, registry, name, {}, refused.refusals)
    return RedirectResponse(
        f"/users/{quote(name)}/roles?done={'revoked-wide' if wide else 'revoked'}", 303
    )
