"""The approvals inbox's approve, reject and withdraw buttons: a second person's decision on
a request awaiting approval (`services.approvals`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from article6.domain.access import Confirmation
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.security import Registry_, Settings_, client_address
from article6.services import approvals
from article6.services import commands as c
from article6.services.signed_confirmation import WrongCode, count_wrong_code, digest_of
from article6.web.forms import Fields, build, fields_of
from article6.web.session import Looking

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
    if decision == "approve":
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
        raise CommandRefused(
            [Refusal(Check.C1012, "decision", words("no decision “{decision}”", decision=decision))]
        )
    return RedirectResponse(f"/transactions/{identifier}?done={decision}", status_code=303)
