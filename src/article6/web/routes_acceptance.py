"""The incoming transfers page (issue #18): transfers into the Party's accounts waiting for its
acceptance, the administrators' accept and refuse buttons, and the Party's setting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.acceptance import LONGEST_WAIT
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.security import Registry_
from article6.services import acceptances
from article6.services import commands as c
from article6.web.forms import Fields, build, fields_of
from article6.web.rendering import render
from article6.web.session import Looking

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
DONE = {"accept", "refuse", "setting"}


@router.get("/incoming-transfers", response_class=HTMLResponse)
def incoming(request: Request, viewer: Looking, registry: Registry_, done: str = "") -> Response:
    waiting = acceptances.incoming_transfers(registry, viewer.actor, viewer.party)
    days = acceptances.acceptance_setting(registry, viewer.actor, viewer.party)
    return render(
        request,
        "incoming_transfers.html",
        viewer=viewer,
        active="incoming",
        waiting=waiting,
        days=days,
        longest=LONGEST_WAIT,
        done=done if done in DONE else "",
        answered=request.query_params.get("transaction", "")[:40],
    )


@router.post("/incoming-transfers/setting")
def setting(viewer: Looking, registry: Registry_, form: Form) -> Response:
    """Automatic, or a wait of so many days for the Party's acceptance."""
    waits = form.text("mode") == "wait"
    command = build(
        c.SetAcceptance, {"acceptance_days": form.text("acceptance_days") if waits else None}
    )
    acceptances.set_acceptance(registry, viewer.actor, command)
    return RedirectResponse("/incoming-transfers?done=setting", status_code=303)


@router.post("/incoming-transfers/{transaction}/{decision}")
def answer(
    transaction: str, decision: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Accept, or refuse with a reason, a transfer waiting for the Party's acceptance."""
    identifier = transaction[:40]
    if decision == "accept":
        acceptances.accept_transfer(
            registry, viewer.actor, c.AcceptTransfer(transaction=identifier)
        )
    elif decision == "refuse":
        command = build(
            c.RefuseTransfer, {"transaction": identifier, "reason": form.text("reason")}
        )
        acceptances.refuse_transfer(registry, viewer.actor, command)
    else:
        raise CommandRefused(
            [
                Refusal(
                    Check.C1012,
                    "decision",
                    words("no decision {decision}: accept or refuse", decision=decision[:20]),
                )
            ]
        )
    return RedirectResponse(
        f"/incoming-transfers?done={decision}&transaction={identifier}", status_code=303
    )
