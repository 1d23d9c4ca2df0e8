"""The credentials a request presented, and the checks every request's credentials pass.

Most requests read their session before anything else (`http.security`, on the event loop).
The commands that move units do not: their door hands `execute` the credentials as presented
(`PresentedCredentials`: the token's keyed hash, never the token), and the session, its user
and the user's grants are read as the command's first statement, in its own transaction.

The first time a process meets these credentials that read goes alone with the BEGIN and the
command waits for it. After that the process expects the same Actor again: the read still goes
first, but with the next statement the command sends (the idempotency claim and its first
read), and the command runs as the expected Actor meanwhile. The rows are judged as they arrive,
before any other answer of that round trip, and `execute` makes sure they arrived before it
commits or answers: if they no longer name the expected Actor (a token ended, a role taken
away, a password reset, a session's request without its CSRF token), the transaction is rolled
back and the command runs again, reading first (`CallerChanged`), so its refusal is exactly the
one any request meets. Nothing the command did as the expected Actor survives it, and the
refusal it met is never shown. Against a read of its own on the event loop before the command
(as other requests do), a transfer costs one round trip and 11-15 % of the server's CPU less
(BENCHMARKS.md, ninth session).

Wherever they are read, credentials pass the same checks, in this order and with these
refusals: `signed_in` (C4009, C4011), `unblocked` (C4014), `acting_in` (C4006).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from article6.domain.access import Actor, Confirmation
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.context import CallerChanged, Registry
from article6.services.sign_in import Principal, csrf_digest_matches, principal_from
from article6.store import identity
from article6.store.identity import SessionGrant

TOKEN, SESSION = "token", "session"
CSRF_HEADER = "X-CSRF-Token"
EXPECTED_LIMIT = 4096
"""The credentials a process remembers the Actor of (all forgotten when full)."""

_expected: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str, str | None], Actor]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class PresentedCredentials:
    """A bearer token or a browser session as a request presented it, for the section `party`
    (None: registry-wide), not yet read."""

    party: str | None
    kind: str
    """`token` (a bearer token) or `session` (a browser's cookie)."""
    digest: str
    """The keyed hash of the token or session (`sign_in.token_hash`), as stored."""
    csrf_required: bool = False
    """A session's request that changes something: it must carry the session's CSRF token."""
    csrf_digest: str | None = None
    """The keyed hash of the CSRF token the request carried, if any."""
    confirmation: Confirmation | None = None
    """The second-factor code and action digest the request carried, if any."""

    def actor_in(
        self, connection: Connection, registry: Registry
    ) -> tuple[Actor, Callable[[], None]]:
        """Who presented these credentials, read in the command's transaction, and what makes
        sure, before the command commits or answers, that the read named that Actor."""
        known = _expected.setdefault(registry.engine, {})
        key = (self.digest, self.kind, self.party)
        expected = known.get(key)
        found: list[Actor] = []

        def judge(rows: list[SessionGrant]) -> None:
            if expected is None:  # refused here, before the command has run
                found.append(self.admitted(rows, registry))
                return
            try:
                actor = self.admitted(rows, registry)
            except Exception:
                actor = None
            if actor != expected:
                known.pop(key, None)
                raise CallerChanged()
            found.append(actor)

        answer = identity.session_with_grants_later(connection, self.digest, judge)
        if expected is None:
            answer.all()
            if len(known) >= EXPECTED_LIMIT:
                known.clear()
            expected = known[key] = found[0]

        def stands() -> None:
            answer.all()  # judged already, unless no statement has gone since
            if not found:
                raise CallerChanged()

        if self.confirmation is None:
            return expected, stands
        return replace(expected, confirmation=self.confirmation), stands

    def admitted(self, rows: list[SessionGrant], registry: Registry) -> Actor:
        """The Actor the session's rows name for these credentials, or their refusal."""
        return self.actor_of(principal_from(rows, registry, self.kind, self.digest))

    def actor_of(self, found: Principal | None) -> Actor:
        """The Actor of the user these credentials were found to belong to, or their refusal,
        in the order any request meets them."""
        return acting_in(unblocked(signed_in(found, self)), self.party)


def signed_in(found: Principal | None, presented: PresentedCredentials) -> Principal:
    """The user the credentials belong to: C4009 when they name no current session or token of
    their kind (or its user is disabled), C4011 when a session's request that changes something
    lacks the session's CSRF token."""
    if found is None:
        if presented.kind == TOKEN:
            detail = words("the token is unknown, expired or revoked")
            raise refuse(Check.C4009, "authorization", detail)
        raise refuse(Check.C4009, "session", words("the session is unknown, expired or ended"))
    if presented.csrf_required and not csrf_digest_matches(found, presented.csrf_digest):
        raise refuse(
            Check.C4011,
            CSRF_HEADER,
            words("send the session's CSRF token in {csrf_header}", csrf_header=CSRF_HEADER),
        )
    return found


def unblocked(principal: Principal) -> Principal:
    """A user whose password an administrator reset may do nothing else until they have
    changed it (C4014)."""
    if principal.must_change_password:
        raise refuse(
            Check.C4014,
            "password",
            words("your password was reset: change it first (POST /api/v1/me/password)"),
        )
    return principal


def acting_in(principal: Principal, party: str | None) -> Actor:
    """The user acting in `party`'s section (registry-wide when None): C4006 when they hold no
    role there and no registry-wide role."""
    actor = principal.actor_for(party)
    if actor is not None:
        return actor
    if party is None:
        raise refuse(
            Check.C4006, "party", words("{who} holds no registry-wide role", who=principal.name)
        )
    raise refuse(
        Check.C4006,
        "party",
        words("{who} holds no role in {party}'s section", who=principal.name, party=party),
    )
