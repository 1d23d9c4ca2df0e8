"""A Party's safeguards on the units leaving its section (issue #17, UK ETS and EU registry
practice): trusted destinations and signed confirmation.

Trusted destinations: while a Party keeps its list switched on, a transfer from its section to
an account outside the list (and outside the section) waits for an administrator's approval
even where no policy asks for one. An addition counts only once the registry's delay has passed,
so that someone who took over a session cannot add an account and empty the section at once.

Signed confirmation: a Party may require that every transfer, use, cancellation and approval is
confirmed with a fresh one-time code of the user's second factor. The code confirms the digest
of the exact action the user saw previewed; a request changed after the preview has another
digest and is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from article6.domain.access import Confirmation
from article6.domain.checks import Check, Refusal
from article6.domain.transactions import TransactionKind
from article6.domain.wording import words

LEAVING_KINDS = frozenset(
    {TransactionKind.INTERNATIONAL_TRANSFER, TransactionKind.EXTERNAL_TRANSFER}
)
"""The transfers that take units out of the section: those the trusted list judges."""

SIGNED_COMMANDS = frozenset(
    {
        "TransferUnits",
        "TransferInternationally",
        "ProposeExternalTransfer",
        "UseTowardsNDC",
        "CancelUnits",
        "ApproveTransaction",
    }
)
"""The commands a Party's signed confirmation covers: transfers, uses, cancellations and
approvals."""

ACCOUNT_NUMBER = re.compile(r"[A-Z0-9]{2,5}-[A-Z0-9]+(-[A-Z0-9]+)*")
"""An account number as registries give it: the registry's code, a hyphen, then capital letters
and digits (a registry may group them with hyphens: XXB01-2-1)."""


@dataclass(frozen=True)
class Safeguards:
    """What a Party section has switched on (nothing, unless it chose)."""

    party: str
    trusted_only: bool = False
    signed_confirmation: bool = False


@dataclass(frozen=True)
class TrustedDestination:
    """An account on a Party's list, who added it, and from when it counts."""

    party: str
    account: str
    added_by: str
    added_at: datetime
    effective_at: datetime

    def effective(self, now: datetime) -> bool:
        return self.effective_at <= now


class Standing:
    """What the trusted list says of a transfer's destination, as the confirm page tells it."""

    NOT_KEPT = "not_kept"  # the Party keeps no list, or the transfer stays in the section
    TRUSTED = "trusted"
    NOT_YET = "not_yet"  # on the list, but the delay has not passed
    UNTRUSTED = "untrusted"


def standing(
    safeguards: Safeguards,
    kind: TransactionKind,
    destination_party: str | None,
    listed_from: datetime | None,
    now: datetime,
) -> str:
    """Whether a transfer of `kind` from the section to an account (of `destination_party`; on
    the list, counting from `listed_from`, or not on it: None) is judged by the list, and what
    the list says."""
    if not safeguards.trusted_only or kind not in LEAVING_KINDS:
        return Standing.NOT_KEPT
    if destination_party == safeguards.party:
        return Standing.NOT_KEPT
    if listed_from is None:
        return Standing.UNTRUSTED
    return Standing.TRUSTED if listed_from <= now else Standing.NOT_YET


def waits_for_trust(standing_of_destination: str) -> bool:
    """C4020: outside the list (or not yet on it), the transfer waits for approval."""
    return standing_of_destination in (Standing.UNTRUSTED, Standing.NOT_YET)


def action_digest(command: str, fields: Mapping[str, Any], user: str) -> str:
    """The digest a signed confirmation confirms: the command's name, every field it was given
    (accounts, units, quantity, purpose...) and the user, as canonical JSON under SHA-256."""
    body = json.dumps([command, dict(fields), user], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def reference(digest: str) -> str:
    """The first 16 hexadecimal digits of a digest in groups of four: what a person compares."""
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()


def confirmation_refusals(confirmation: Confirmation | None, digest: str) -> list[Refusal]:
    """C4021 and C4022 as far as they need no secret: a code is given, and the digest it
    confirms is the digest of this request. Whether the code is the user's current one, not
    used before, is the service's to judge (it needs the stored secret)."""
    if confirmation is None or not confirmation.code:
        return [
            Refusal(
                Check.C4021,
                "second_factor_code",
                words(
                    "this Party requires a signed confirmation: give your current "
                    "second-factor code"
                ),
            )
        ]
    if not confirmation.digest:
        return [
            Refusal(
                Check.C4022,
                "action_digest",
                words("give the digest of the action you previewed, which the code confirms"),
            )
        ]
    if confirmation.digest.strip().lower() != digest:
        return [
            Refusal(
                Check.C4022,
                "action_digest",
                words(
                    "the request differs from the action previewed and confirmed; preview it again"
                ),
            )
        ]
    return []


def trusted_account_refusal(account: str) -> Refusal | None:
    """C1022: a trusted destination is named by an account number."""
    if ACCOUNT_NUMBER.fullmatch(account):
        return None
    return Refusal(
        Check.C1022,
        "account",
        words(
            "{account!r} is not an account number (the registry's code, a hyphen, "
            "then capital letters and digits: XXB01-000004)",
            account=account,
        ),
    )
