"""The catalogue of forms that create or move units: for each, the command it builds, the
service that carries it out, the permission it needs and the fields it asks for. The pages
that walk a form through its three steps are in `routes_actions`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from article6.domain.wording import words
from article6.services import commands as c
from article6.services import issuance, units
from article6.services.context import Registry
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer
from article6.services.views import Receipt
from article6.web.forms import Fields, build, unit_selection


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
    note: str = ""  # said beside the label instead of "(optional)" when the need depends


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


UNITS = Input("units", words("Units"), "units")


FROM_ACCOUNT = words("From account")


def _source(kinds: str, label: str = FROM_ACCOUNT) -> Input:
    return Input("source_account", label, "select", choices=kinds)


ACTIONS: dict[str, UnitAction] = {
    a.slug: a
    for a in (
        UnitAction(
            "issue",
            words("Issue units"),
            words(
                "Issue mitigation outcomes for a mitigation activity of the Party: as MOs into the "
                "MO holding account, or, when an authorization whose first transfer is at issuance "
                "is named, directly as ITMOs."
            ),
            "administer",
            issuance.issue_units,
            (
                Input(
                    "mitigation_activity",
                    words("Mitigation activity"),
                    "select",
                    choices="activities",
                ),
                Input("vintage", words("Vintage (year the mitigation took place)"), "number"),
                Input("quantity", words("Quantity (t CO2e)"), "number"),
                Input(
                    "authorization_id",
                    words("Authorization"),
                    "select",
                    required=False,
                    choices="authorizations",
                    empty=words("None — issue as MOs (not yet authorized)"),
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
            words("Link an authorization to MOs"),
            words(
                "Authorized MOs become AMOs in the AMO holding account of the cooperative approach "
                "(or ITMOs, when the authorization says authorization is the first transfer)."
            ),
            "administer",
            units.link_authorization,
            (
                Input("account", words("MO holding account"), "select", choices="mo"),
                Input(
                    "authorization_id", words("Authorization"), "select", choices="authorizations"
                ),
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
            words("Internal transfer"),
            words(
                "Move units between holding accounts of the same kind within this Party section, "
                "for example from the Party to one of its authorized entities."
            ),
            "move_units",
            units.transfer_units,
            (
                _source("holding"),
                Input(
                    "destination_account",
                    words("To account (number)"),
                    "account",
                    hint=words(
                        "A holding account of the same kind and cooperative approach in this "
                        "section; pick one or type its number."
                    ),
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
            words("International transfer"),
            words(
                "Transfer authorized units to another Party's ITMO holding account. For units not "
                "yet first transferred this is their first transfer."
            ),
            "move_units",
            units.transfer_internationally,
            (
                _source("authorized"),
                Input(
                    "destination_account",
                    words("To account (the other Party's ITMO holding account number)"),
                    hint=words(
                        "The receiving Party gives you its account number, e.g. XXC01-000003."
                    ),
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
            words("Transfer to another registry"),
            words(
                "Transfer authorized units to an account in another registry connected through "
                "the interoperability hub, such as another Party's own registry. The units stay "
                "reserved here until the hub reports the acquiring registry's answer; for units "
                "not yet first transferred this is their first transfer."
            ),
            "move_units",
            propose_external_transfer,
            (
                _source("authorized"),
                Input(
                    "acquiring_registry",
                    words("To registry (its code)"),
                    hint=words(
                        "The code of the registry in the hub's directory, e.g. XXB01 or IR."
                    ),
                ),
                Input(
                    "acquiring_account",
                    words("To account (its number in that registry)"),
                    hint=words(
                        "The acquiring Party gives you its account number, e.g. XXB01-000004."
                    ),
                ),
                Input(
                    "acquiring_party",
                    words("Acquiring Party (its code)"),
                    hint=words("The Party that holds the account, e.g. XXB."),
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
            words("Use towards NDC"),
            words("Use ITMOs held by the Party towards its nationally determined contribution."),
            "move_units",
            units.use_towards_ndc,
            (
                _source("party_itmo"),
                Input(
                    "ndc_year", words("NDC year"), "number", hint=words("A year of the NDC period.")
                ),
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
            words("Cancel units"),
            words(
                "Cancel authorized units for international mitigation purposes (e.g. CORSIA), "
                "other purposes, overall mitigation in global emissions, or voluntarily."
            ),
            "move_units",
            units.cancel_units,
            (
                _source("authorized"),
                Input("purpose", words("Purpose"), "select", choices="purposes"),
                Input(
                    "purpose_text",
                    words("Purpose in words"),
                    hint=words(
                        "What the units are cancelled for, e.g. CORSIA. Needed for IMP and OP; "
                        "for OMGE and voluntary cancellation you may leave it empty."
                    ),
                    required=False,
                    note=words("needed for IMP and OP"),
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
            words("Record a first transfer (manual)"),
            words(
                "The administrators' manual recording of a first transfer: AMOs become ITMOs in "
                "the ITMO holding account, with the reason journaled."
            ),
            "administer",
            units.record_first_transfer,
            (
                Input("account", words("AMO holding account"), "select", choices="amo"),
                Input("reason", words("Reason"), "textarea"),
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
