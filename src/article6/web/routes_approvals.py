"""The approvals inbox's approve, reject and withdraw buttons: a second person's decision on
a request awaiting approval (`services.approvals`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from article6.domain.access import Confirmation
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.wording import words
from article6.http.security import Registry_, Settings_, client_address
from article6.services import approvals
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.signed_confirmation import WrongCode, count_wrong_code, digest_of
from article6.settings import Settings
from article6.web.forms import Fields, build, fields_of
from article6.web.routes_registry import approvals_page
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]


@router.post("/approvals/{transaction}/{decision}")
def decide(
    request: Request,
    transaction: str,
    decision: str,
    viewer: Looking,
    registry: Registry_,
    settings: Settings_,
    form: Form,
) -> Response:
    """Approve, reject (with a reason) or withdraw a request awaiting approval."""
    identifier = transaction[:40]
    try:
        if decision == "approve":
            approve(request, identifier, viewer, registry, settings, form)
        elif decision == "reject":
            command = build(
                c.RejectTransaction, {"transaction": identifier, "reason": form.text("reason")}
            )
            approvals.reject_transaction(registry, viewer.actor, command)
        elif decision == "withdraw":
            withdrawing = build(
                c.WithdrawTransaction, {"transaction": identifier, "reason": form.text("reason")}
            )
            approvals.withdraw_transaction(registry, viewer.actor, withdrawing)
        else:
            raise refuse(
                Check.C1012, "decision", words("no decision “{decision}”", decision=decision)
            )
    except CommandRefused as refused:
        # back to the inbox, the refusal beside the request's field; nothing has changed
        return approvals_page(request, viewer, registry, identifier, refused.refusals)
    return RedirectResponse(f"/transactions/{identifier}?done={decision}", status_code=303)


def approve(
    request: Request,
    identifier: str,
    viewer: Viewer,
    registry: Registry,
    settings: Settings,
    form: Fields,
) -> None:
    """The approval, confirmed by the code typed where the Party requires signed confirmation;
    a wrong code is counted against the user's name, as a failed sign-in is."""
    approving = c.ApproveTransaction(transaction=identifier)
    code = form.text("second_factor_code")
    actor = (
        viewer.actor
        if code is None
        else replace(
            viewer.actor, confirmation=Confirmation(code, digest_of(viewer.actor, approving))
        )
    )  # the code confirms this approval, the only action the button can send
    try:
        approvals.approve_transaction(registry, actor, approving)
    except WrongCode:
        count_wrong_code(registry, settings, viewer.name, client_address(request))
        raise
