"""The public check of a certificate of use or cancellation: anyone holding one (a buyer, a
verifier, a journalist) confirms that what it states is what the ledger records now.

The answer shows what the certificate states and nothing more (no user names, no account,
no other transaction). A number that matches nothing gets one answer whether its transaction
is unknown, is not a completed use or cancellation, or is known but its digest differs: the
page is no oracle for which transactions exist.
"""

from __future__ import annotations

import hmac

from pydantic import BaseModel

from article6.domain.wording import Sentence
from article6.services.context import Registry
from article6.services.use_and_cancellation_certificates import certificate_of, certified
from article6.services.views import UtcDateTime
from article6.store import reports, statement_ledger

LONGEST_NUMBER = 200
"""Longer than any certificate number: a longer one is refused unread."""


class VerifiedCertificate(BaseModel):
    """What a genuine certificate states, as the ledger confirms it."""

    number: str
    kind: str
    action: str
    party: str
    party_name: str
    by: str
    entity: str | None
    purpose: Sentence
    date: UtcDateTime
    quantity: int
    units: list[str]


def verify_certificate(registry: Registry, number: str) -> VerifiedCertificate | None:
    """The certificate numbered `number` if the ledger records now what it states; else None."""
    transaction, dot, _ = number.rpartition(".")
    if not dot or not transaction or len(number) > LONGEST_NUMBER:
        return None
    with reports.reading(registry.engine) as connection:
        row = statement_ledger.transaction(connection, transaction)
        if row is None or not certified(row):
            return None
        found = certificate_of(registry, connection, row)
    if not hmac.compare_digest(found.number.encode(), number.encode()):
        return None
    return VerifiedCertificate(
        number=found.number,
        kind=found.kind,
        action=found.action,
        party=found.party,
        party_name=found.party_name,
        by=found.by,
        entity=found.entity,
        purpose=found.purpose,
        date=found.date,
        quantity=found.quantity,
        units=found.units,
    )


def verification_path(number: str) -> str:
    """Where the public page checks a certificate, relative to the registry's address."""
    return f"/public/certificates/{number}"
