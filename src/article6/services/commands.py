"""Commands: what a user asks the registry to do, as validated Pydantic models.

Field formats are checked again by the domain so that every refusal carries a numbered check;
these models give the shape, the types and the limits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from article6.domain.accounts import AccountStatus, CancellationPurpose
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
RegistryDate = Annotated[date, AfterValidator(_within_years)]
Instant = Annotated[datetime, AfterValidator(_within_years)]
Whole = Annotated[int, BeforeValidator(_not_a_boolean)]
"""A whole number: never a boolean, whether it comes from JSON or from a form."""


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SerialRange(Command):
    registry: str = Field(max_length=5)
    first: int
    last: int


class UnitSelection(Command):
    """Which units: a quantity (the registry picks blocks, splitting as little as possible) or
    explicit serial ranges; optionally only one vintage or authorization."""

    quantity: int | None = None
    ranges: list[SerialRange] | None = Field(default=None, max_length=1000)
    vintage: int | None = None
    authorization_id: str | None = Field(default=None, max_length=64)


class RegisterParty(Command):
    code: str = Field(max_length=3)
    name: str = Field(min_length=1, max_length=200)
    ndc_first_year: int
    ndc_last_year: int
    open_section: bool = True
    registry_number: int = Field(default=1, ge=1, le=99)


class RegisterCooperativeApproach(Command):
    id: str = Field(max_length=6)
    name: str = Field(min_length=1, max_length=200)
    participating_parties: list[str] = Field(min_length=1, max_length=200)
    description: str | None = Text


class RecordMitigationActivity(Command):
    title: str = Field(min_length=1, max_length=300)
    cooperative_approach: str = Field(max_length=6)
    sector: Sector
    activity_type: ActivityType | None = None
    mitigation_type: MitigationType
    metric: Metric = Metric.GHG
    gwp_values: str | None = Field(default=None, max_length=200)
    non_ghg_metric: str | None = Field(default=None, max_length=200)
    underlying_registry: UnderlyingRegistry | None = None
    underlying_first: int | None = None
    underlying_last: int | None = None
    description: str | None = Text


class RecordAuthorization(Command):
    """Record an authorization, or change it: a second record of the same ID is a new version."""

    authorization_id: str = Field(max_length=64)
    date_of_authorization: RegistryDate
    cooperative_approach: str = Field(max_length=6)
    metric: Metric = Metric.GHG
    sectors: list[Sector] = Field(min_length=1, max_length=20)
    activity_types: list[ActivityType] = Field(default_factory=list, max_length=40)
    purposes: Purpose
    authorized_quantity: int | None = None
    gwp_values: str | None = Field(default=None, max_length=200)
    non_ghg_metric: str | None = Field(default=None, max_length=200)
    authorized_parties: list[str] = Field(default_factory=list, max_length=200)
    authorized_entities: list[str] = Field(default_factory=list, max_length=200)
    oimp_authorized: str | None = Text
    timeframe_first: int | None = None
    timeframe_last: int | None = None
    terms_and_conditions: str | None = Text
    first_transfer_definition: FirstTransferDefinition | None = None
    additional_information: str | None = Text
    revoked: bool = False


class RecordAuthorizedEntity(Command):
    """Record an entity the Party authorizes for a cooperative approach (AEF Table 5)."""

    name: str = Field(min_length=1, max_length=200)
    country_of_incorporation: str = Field(max_length=3)
    identification_number: str = Field(min_length=1, max_length=100)
    cooperative_approach: str = Field(max_length=6)
    date_of_authorization: RegistryDate
    conditions: str | None = Text
    change_and_revocation_conditions: str | None = Text
    additional_information: str | None = Text


class SetEntityStatus(Command):
    entity: str = Field(max_length=40)
    cooperative_approach: str = Field(max_length=6)
    status: str = Field(pattern="^(active|suspended|revoked)$")


class SetAccountStatus(Command):
    account: str = Field(max_length=40)
    status: AccountStatus


class SetApprovalPolicy(Command):
    """Require a second person (initiator != approver) for one kind of transaction."""

    kind: TransactionKind
    four_eyes: bool


class IssueUnits(Command):
    mitigation_activity: str = Field(max_length=40)
    vintage: int
    quantity: int
    account: str | None = Field(default=None, max_length=40)
    authorization_id: str | None = Field(default=None, max_length=64)
    non_ghg_quantity: Decimal | None = None


class LinkAuthorization(Command):
    account: str = Field(max_length=40)
    authorization_id: str = Field(max_length=64)
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
    ndc_year: int
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
    transaction: str = Field(max_length=40)
