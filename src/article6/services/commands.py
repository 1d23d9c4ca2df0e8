"""Commands: what a user asks the registry to do, as validated Pydantic models.

Field formats are checked again by the domain so that every refusal carries a numbered check;
these models give the shape, the types and the limits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from article6.domain.accounts import AccountKind, AccountStatus, CancellationPurpose
from article6.domain.blocks import MAX_QUANTITY
from article6.domain.checks import Check
from article6.domain.identifiers import (
    AUTHORIZATION_ID_LENGTH,
    AUTHORIZATION_ID_PATTERN,
    FIRST_VINTAGE,
)
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
    UnderlyingRegistry,
)
from article6.domain.transactions import TransactionKind

Text = Field(default=None, max_length=2000)
LARGEST_SERIAL = 2**62
LAST_YEAR = 2100

EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
"""Every date the registry accepts lies within these years: far from the calendar's ends, so
no date arithmetic on it can overflow."""


def _within_years(value: Any) -> Any:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise PydanticCustomError(
            "date_out_of_range",
            "a date lies in the years {earliest} to {latest}",
            {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
    return value


def _not_a_boolean(value: Any) -> Any:
    """JSON's true is not the number 1 (Python's bool is an int, and lax parsing agrees)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "a whole number is expected, not true or false")
    return value


DATE_BOUNDS = f"from {EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"
DATE_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""The years EARLIEST_YEAR to LATEST_YEAR as a pattern, for the OpenAPI document."""
RegistryDate = Annotated[
    date,
    AfterValidator(_within_years),
    Field(json_schema_extra={"pattern": DATE_PATTERN, "description": f"A date {DATE_BOUNDS}"}),
]
_AUTHORIZATION_YEARS = "|".join(str(y) for y in range(FIRST_VINTAGE, date.today().year + 1))
AuthorizationDate = Annotated[
    date,
    AfterValidator(_within_years),
    Field(
        json_schema_extra={
            "pattern": rf"^({_AUTHORIZATION_YEARS})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "description": f"A date of authorization: from {FIRST_VINTAGE}-01-01 (decision "
            "2/CMA.3) and not after the registry's today (C1009); the pattern states the "
            "years up to the one the document was written in",
        }
    ),
]
Instant = Annotated[datetime, AfterValidator(_within_years)]
Whole = Annotated[int, BeforeValidator(_not_a_boolean)]
"""A whole number: never a boolean, whether it comes from JSON or from a form."""

# The formats the domain checks again (domain.identifiers, domain.blocks), stated here so that
# the OpenAPI document shows clients the contract the registry enforces.
PartyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["XXA"])]
ApproachId = Annotated[str, Field(pattern=r"^CA[0-9]{4}$", examples=["CA0001"])]
RegistryId = Annotated[str, Field(pattern=r"^[A-Z]{3}[0-9]{2}$", examples=["XXA01"])]
AuthorizationId = Annotated[
    str,
    Field(
        pattern=AUTHORIZATION_ID_PATTERN,
        max_length=AUTHORIZATION_ID_LENGTH,
        examples=["XXA-NDC-2025-001", "1006.4/2810"],
        description=f"The Party's own reference: 1-{AUTHORIZATION_ID_LENGTH} printable "
        "characters, no control character, no whitespace at either end",
    ),
]
# (The bounds come before the validator: pydantic then states them as minimum and maximum.)
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY), BeforeValidator(_not_a_boolean)]
Serial = Annotated[int, Field(ge=1, le=LARGEST_SERIAL), BeforeValidator(_not_a_boolean)]
Year = Annotated[int, Field(ge=FIRST_VINTAGE, le=LAST_YEAR), BeforeValidator(_not_a_boolean)]
"""An NDC year or a timeframe's year."""


def _up_to_this_year(schema: dict[str, Any]) -> None:
    schema["maximum"] = date.today().year


Vintage = Annotated[
    int,
    Field(ge=FIRST_VINTAGE, le=LAST_YEAR, json_schema_extra=_up_to_this_year),
    BeforeValidator(_not_a_boolean),
]
"""A vintage: from 2021 and not in the future (the domain checks the year by the registry's
clock; the document states the year it was written in)."""


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SerialRange(Command):
    registry: RegistryId
    first: Serial
    last: Serial


class UnitSelection(Command):
    """Which units: a quantity (the registry picks blocks, splitting as little as possible) or
    explicit serial ranges, or both when the quantity is the number of units the ranges hold
    (C1005); optionally only one vintage or authorization."""

    quantity: Quantity | None = None
    ranges: list[SerialRange] | None = Field(default=None, min_length=1, max_length=1000)
    vintage: Vintage | None = None
    authorization_id: AuthorizationId | None = None


class RegisterParty(Command):
    # `code` is this Party's code here (elsewhere, as in sign-in, it is another code).
    checks_by_field: ClassVar[dict[str, Check]] = {"code": Check.C1001}

    code: PartyCode
    name: str = Field(min_length=1, max_length=200)
    ndc_first_year: Year
    ndc_last_year: Year
    open_section: bool = True
    registry_number: Annotated[int, Field(ge=1, le=99), BeforeValidator(_not_a_boolean)] = 1


class RegisterCooperativeApproach(Command):
    id: ApproachId
    name: str = Field(min_length=1, max_length=200)
    participating_parties: list[PartyCode] = Field(min_length=1, max_length=200)
    description: str | None = Text


class RecordMitigationActivity(Command):
    title: str = Field(min_length=1, max_length=300)
    cooperative_approach: ApproachId
    sector: Sector
    activity_type: ActivityType | None = None
    mitigation_type: MitigationType
    metric: Metric = Metric.GHG
    gwp_values: str | None = Field(default=None, max_length=200)
    non_ghg_metric: str | None = Field(default=None, max_length=200)
    underlying_registry: UnderlyingRegistry | None = None
    underlying_first: Serial | None = None
    underlying_last: Serial | None = None
    description: str | None = Text


class RecordAuthorization(Command):
    """Record an authorization, or change it: a second record of the same ID is a new version."""

    authorization_id: AuthorizationId
    date_of_authorization: AuthorizationDate
    cooperative_approach: ApproachId
    metric: Metric = Metric.GHG
    sectors: list[Sector] = Field(min_length=1, max_length=20)
    activity_types: list[ActivityType] = Field(default_factory=list, max_length=40)
    purposes: Purpose
    authorized_quantity: Quantity | None = None
    gwp_values: str | None = Field(default=None, max_length=200)
    non_ghg_metric: str | None = Field(default=None, max_length=200)
    authorized_parties: list[PartyCode] = Field(default_factory=list, max_length=200)
    authorized_entities: list[str] = Field(default_factory=list, max_length=200)
    oimp_authorized: str | None = Text
    timeframe_first: Year | None = None
    timeframe_last: Year | None = None
    terms_and_conditions: str | None = Text
    first_transfer_definition: FirstTransferDefinition | None = None
    additional_information: str | None = Text
    revoked: bool = False


class RecordAuthorizedEntity(Command):
    """Record an entity the Party authorizes for a cooperative approach (AEF Table 5)."""

    name: str = Field(min_length=1, max_length=200)
    country_of_incorporation: PartyCode
    identification_number: str = Field(min_length=1, max_length=100)
    cooperative_approach: ApproachId
    date_of_authorization: RegistryDate
    conditions: str | None = Text
    change_and_revocation_conditions: str | None = Text
    additional_information: str | None = Text


class SetEntityStatus(Command):
    entity: str = Field(max_length=40)
    cooperative_approach: ApproachId
    status: str = Field(pattern="^(active|suspended|revoked)$")


class SetAccountStatus(Command):
    account: str = Field(max_length=40)
    status: AccountStatus


class OpenAccount(Command):
    """Open an account in the actor's section: a kind the registry has, for the Party
    (`holder` "PARTY") or one of its authorized entities (its identifier)."""

    kind: AccountKind
    cooperative_approach: ApproachId | None = None
    holder: str = Field(default="PARTY", max_length=40)


class SetApprovalPolicy(Command):
    """Require a second person (initiator != approver) for one kind of transaction."""

    kind: TransactionKind
    four_eyes: bool


class IssueUnits(Command):
    mitigation_activity: str = Field(max_length=40)
    vintage: Vintage
    quantity: Quantity
    account: str | None = Field(default=None, max_length=40)
    authorization_id: AuthorizationId | None = None
    non_ghg_quantity: Decimal | None = None


class LinkAuthorization(Command):
    account: str = Field(max_length=40)
    authorization_id: AuthorizationId
    units: UnitSelection


class TransferUnits(Command):
    """Internal transfer within a Party section."""

    source_account: str = Field(max_length=40)
    destination_account: str = Field(max_length=40)
    units: UnitSelection


class TransferInternationally(Command):
    source_account: str = Field(max_length=40)
    destination_account: str = Field(max_length=40)
    units: UnitSelection


class UseTowardsNDC(Command):
    source_account: str = Field(max_length=40)
    ndc_year: Annotated[
        int, Field(ge=EARLIEST_YEAR, le=LATEST_YEAR), BeforeValidator(_not_a_boolean)
    ]
    units: UnitSelection


class CancelUnits(Command):
    source_account: str = Field(max_length=40)
    purpose: CancellationPurpose
    purpose_text: str | None = Field(default=None, max_length=2000)
    units: UnitSelection


class RecordFirstTransfer(Command):
    """The administrators' manual recording of a first transfer (the MVP's path)."""

    account: str = Field(max_length=40)
    reason: str = Field(min_length=1, max_length=2000)
    units: UnitSelection


class ApproveTransaction(Command):
    transaction: str = Field(max_length=40)


class RejectTransaction(Command):
    transaction: str = Field(max_length=40)
    reason: str = Field(min_length=1, max_length=2000)


class WithdrawTransaction(Command):
    """Withdraw a request awaiting approval (its initiator), or a transfer waiting for the
    acquiring side (the transferring Party: `services.withdrawals`), with an optional reason."""

    transaction: str = Field(max_length=40)
    reason: str | None = Field(default=None, max_length=2000)


class SetAcceptance(Command):
    """Accept incoming transfers automatically (no days) or make them wait for the Party's
    acceptance this many days, after which they are returned (issue #18)."""

    acceptance_days: int | None = None


class AcceptTransfer(Command):
    transaction: str = Field(max_length=40)


class RefuseTransfer(Command):
    transaction: str = Field(max_length=40)
    reason: str = Field(min_length=1, max_length=2000)


class ReturnTransfer(Command):
    """The registry returns a transfer not accepted by its deadline to the transferring
    account."""

    transaction: str = Field(max_length=40)


class ExpireTransaction(Command):
    """The registry cancels a transaction still awaiting approval past its deadline."""

    transaction: str = Field(max_length=40)
