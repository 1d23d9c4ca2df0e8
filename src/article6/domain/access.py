"""Who may do what: the one place that decides access to the registry's commands and queries.

Roles are held for a Party section (the secretariat's for the whole registry). The API and the
web pages ask here; so do the services, so no door can bypass it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from article6.domain.checks import Check, Refusal
from article6.domain.wording import words


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    ADMINISTRATOR = "administrator"
    PARTY_USER = "party_user"
    ENTITY = "entity"
    AUDITOR = "auditor"


class Permission(StrEnum):
    READ = "read"
    ADMINISTER = "administer"
    MOVE_UNITS = "move_units"
    APPROVE = "approve"
    REGISTRY_SETUP = "registry_setup"
    MANAGE_USERS = "manage_users"


ROLE_WORDS = {
    Role.SECRETARIAT: words("the secretariat's administrator"),
    Role.ADMINISTRATOR: words("a Party Section Administrator"),
    Role.PARTY_USER: words("a Party user"),
    Role.ENTITY: words("an authorized entity's representative"),
    Role.AUDITOR: words("an auditor"),
}
PERMISSION_WORDS = {
    Permission.READ: words("read this section"),
    Permission.ADMINISTER: words("administer the Party's section (issue, link, record)"),
    Permission.MOVE_UNITS: words("move units"),
    Permission.APPROVE: words("approve or reject requests"),
    Permission.REGISTRY_SETUP: words("set up the registry (Parties, cooperative approaches)"),
    Permission.MANAGE_USERS: words("manage users"),
}
"""A role and a permission as a refusal says them to people."""


class Delegable(StrEnum):
    """The kinds of action that are a Party's own in its section: the secretariat does them
    there only when the Party has delegated that kind to it (C4023)."""

    ISSUANCE = "issuance"
    AUTHORIZATION = "authorization"
    TRANSFER = "transfer"
    USE = "use"
    CANCELLATION = "cancellation"
    FIRST_TRANSFER_RECORD = "first_transfer_record"


DELEGABLE_WORDS = {
    Delegable.ISSUANCE: words("issuance"),
    Delegable.AUTHORIZATION: words("authorization"),
    Delegable.TRANSFER: words("transfer"),
    Delegable.USE: words("use"),
    Delegable.CANCELLATION: words("cancellation"),
    Delegable.FIRST_TRANSFER_RECORD: words("first transfer record"),
}
"""A kind of delegable action as a refusal names it."""


DELEGABLE_OF_KIND = {
    "issuance": Delegable.ISSUANCE,
    "authorization": Delegable.AUTHORIZATION,
    "internal_transfer": Delegable.TRANSFER,
    "international_transfer": Delegable.TRANSFER,
    "external_transfer": Delegable.TRANSFER,
    "use": Delegable.USE,
    "cancellation": Delegable.CANCELLATION,
    "first_transfer_record": Delegable.FIRST_TRANSFER_RECORD,
}
"""Each transaction kind a user starts, to the kind of action a Party delegates."""


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.SECRETARIAT: frozenset(
        {
            Permission.READ,
            Permission.REGISTRY_SETUP,
            Permission.ADMINISTER,
            Permission.MANAGE_USERS,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.READ,
            Permission.ADMINISTER,
            Permission.MOVE_UNITS,
            Permission.APPROVE,
            Permission.MANAGE_USERS,
        }
    ),
    Role.PARTY_USER: frozenset({Permission.READ, Permission.MOVE_UNITS}),
    Role.ENTITY: frozenset({Permission.READ, Permission.MOVE_UNITS}),
    Role.AUDITOR: frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class Confirmation:
    """What a user offered to confirm one action with their second factor: the code their
    authenticator shows and the digest of the action they saw previewed
    (`domain.safeguards.action_digest`). Never journaled, never shown."""

    code: str
    digest: str


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user name, a role, the Party section it is held for and, for an
    authorized entity's representative, the entity's identifier; for a signed confirmation,
    the code and digest the user offered with this one request."""

    name: str
    role: Role
    party: str | None = None
    entity: str | None = None
    confirmation: Confirmation | None = field(default=None, compare=False, repr=False)

    @property
    def registry_wide(self) -> bool:
        return self.role is Role.SECRETARIAT or (self.role is Role.AUDITOR and self.party is None)

    @property
    def label(self) -> str:
        scope = self.party or "registry"
        if self.entity:
            scope += f"/{self.entity}"
        return f"{self.name} ({self.role}, {scope})"


LABEL_ROLES = {
    Role.SECRETARIAT: words("secretariat"),
    Role.ADMINISTRATOR: words("administrator"),
    Role.PARTY_USER: words("party user"),
    Role.ENTITY: words("entity"),
    Role.AUDITOR: words("auditor"),
}
"""A role as an actor's label names it, in words (the label itself keeps the role's code)."""
REGISTRY_WIDE = words("registry")
_LABEL = re.compile(r"(?P<name>.+) \((?P<role>[a-z_]+), (?P<scope>[^()]+)\)")


def label_words(label: str) -> str:
    """An actor's label as the records keep it, "xxa.admin (administrator, XXA)", as words to
    say in the reader's language: the role and a registry-wide scope translated, the name and
    the Party's code as written. Any other text (a registry's name) comes back as it is."""
    found = _LABEL.fullmatch(label)
    if found is None or found["role"] not in LABEL_ROLES:
        return label
    scope = found["scope"]
    return words(
        "{name} ({role}, {scope})",
        name=words(found["name"]),  # a machine actor's name ("interoperability hub") is said
        role=LABEL_ROLES[Role(found["role"])],
        scope=REGISTRY_WIDE if scope == "registry" else scope,
    )


def name_in(label: str) -> str:
    """The user name at the front of an actor's label, "name (role, scope)" (the journal's
    actor): the person, whatever role they held then."""
    return label.rsplit(" (", 1)[0]


def permits(
    actor: Actor,
    permission: Permission,
    party: str | None,
    entity: str | None = None,
    field: str = "actor",
    account_field: str = "source_account",
) -> Refusal | None:
    """None if `actor` may use `permission` in `party`'s section (on `entity`'s accounts when
    given, else on the Party's), else the refusal that says why not.

    Units leave an authorized entity's accounts only at the request of that entity's
    representatives (the Party approves); a Party's users and administrators move units from
    the Party's accounts only."""
    if permission not in GRANTS[actor.role]:
        return Refusal(
            Check.C4002,
            field,
            words(
                "{role} may not {permission}",
                role=ROLE_WORDS[actor.role],
                permission=PERMISSION_WORDS[permission],
            ),
        )
    if not actor.registry_wide and party is not None and actor.party != party:
        return Refusal(
            Check.C4006,
            field,
            words(
                "{actor} acts for {own_party}, not {party}",
                actor=actor.name,
                own_party=actor.party,
                party=party,
            ),
        )
    if actor.role is Role.ENTITY and permission is not Permission.READ and actor.entity != entity:
        return Refusal(
            Check.C4002,
            account_field,
            words("an authorized entity's representative acts only on that entity's accounts"),
        )
    if permission is Permission.MOVE_UNITS and actor.role is not Role.ENTITY and entity is not None:
        # The entity asks and its Party approves: a Party's users never initiate for it, or the
        # record would name the entity as acting when it did not.
        return Refusal(
            Check.C4002,
            account_field,
            words(
                "only {entity}'s representatives move units from its accounts; a Party's "
                "users act from the Party's accounts",
                entity=entity,
            ),
        )
    return None


def permits_safeguards(actor: Actor, party: str) -> Refusal | None:
    """None if `actor` may keep `party`'s trusted destinations and safeguards: a Party Section
    Administrator of that section only (C4020), not its users or entities' representatives,
    and not the secretariat, so that no one outside the Party loosens its own safeguards."""
    if actor.role is Role.ADMINISTRATOR and actor.party == party:
        return None
    return Refusal(
        Check.C4020,
        "party",
        words(
            "only a Party Section Administrator of {party} keeps its trusted "
            "destinations and safeguards",
            party=party,
        ),
    )


def permits_delegable(
    actor: Actor,
    permission: Permission,
    kind: Delegable,
    party: str,
    delegated: frozenset[Delegable],
    entity: str | None = None,
    field: str = "actor",
) -> Refusal | None:
    """`permits`, for an action that is the Party's own in its section (`Delegable`).

    The secretariat administers the registry but does not act for a Party: in `party`'s section
    it does `kind` only if the Party has delegated that kind to it (`delegated`, the kinds in
    force now), and then only as the Party's administrator could (from the Party's accounts,
    never an entity's)."""
    if actor.role is not Role.SECRETARIAT:
        return permits(actor, permission, party, entity, field)
    if kind not in delegated:
        return Refusal(
            Check.C4023,
            field,
            words(
                "{party} has not delegated {kind} to the secretariat: {party}'s own "
                "administrators act in its section",
                party=party,
                kind=DELEGABLE_WORDS[kind],
            ),
        )
    as_party = replace(actor, role=Role.ADMINISTRATOR, party=party)
    return permits(as_party, permission, party, entity, field)


def permits_delegation(actor: Actor, party: str) -> Refusal | None:
    """None if `actor` may delegate an action kind of `party`'s section to the secretariat, or
    revoke it: the Party's own administrator only, never the secretariat for itself (C4023)."""
    if actor.role is not Role.ADMINISTRATOR:
        return Refusal(
            Check.C4023,
            "actor",
            words(
                "only {party}'s Party Section Administrators delegate {party}'s actions",
                party=party,
            ),
        )
    return permits(actor, Permission.ADMINISTER, party)


def permits_review(actor: Actor, party: str) -> Refusal | None:
    """None if `actor` may decide an entity's application to `party`: the Party's own
    administrator, whose authorization it is; the secretariat reads but does not decide."""
    if actor.role is not Role.ADMINISTRATOR:
        return Refusal(
            Check.C4002,
            "actor",
            words("{party}'s Party Section Administrators review its applications", party=party),
        )
    return permits(actor, Permission.ADMINISTER, party)


def permits_approval(
    initiator: Sequence[str], approver: Sequence[str], four_eyes: bool
) -> Refusal | None:
    """None if the user `approver[0]` may approve the request of the user `initiator[0]`.

    Each line is a user's name followed by who created that account, and who created theirs,
    nearest first (up to, not including, the secretariat). No one approves their own request,
    whatever role they hold now (C4002). Under four eyes, the second person is also no one
    whose account the initiator made, directly or through others, nor anyone who made the
    initiator's, nor anyone who shares a maker with them (C4012): whoever creates an account
    sets its first password, so one person could hold both. An authorized entity's request is
    the entity's own; its Party's approval only needs another person."""
    if initiator[0] == approver[0]:
        return Refusal(
            Check.C4002, "transaction", words("the initiator cannot approve their own transaction")
        )
    if four_eyes:
        shared = [name for name in approver if name in initiator]
        if shared:
            return Refusal(
                Check.C4012,
                "transaction",
                words(
                    "{approver} and the initiator {initiator} are not independent: "
                    "{maker} created, directly or through others, both accounts",
                    approver=approver[0],
                    initiator=initiator[0],
                    maker=shared[0],
                )
                if shared[0] not in (approver[0], initiator[0])
                else words(
                    "{approver} and the initiator {initiator} are not independent: "
                    "{maker} created, directly or through others, the other's account",
                    approver=approver[0],
                    initiator=initiator[0],
                    maker=shared[0],
                ),
            )
    return None


REGISTRY_WIDE_ROLES = frozenset({Role.SECRETARIAT, Role.AUDITOR})
"""Roles that may be held for the whole registry rather than one Party section."""


def permits_grant(
    actor: Actor, role: Role, party: str | None, entity: str | None, field: str = "role"
) -> Refusal | None:
    """None if `actor` may grant (or revoke) `role` in `party`'s section, else why not.

    The secretariat grants any role anywhere; a Party Section Administrator grants the roles of
    their own section only, and never a registry-wide one."""
    if party is None and role not in REGISTRY_WIDE_ROLES:
        return Refusal(
            Check.C4006, "party", words("the role {role} is held for a Party section", role=role)
        )
    if role is Role.SECRETARIAT and party is not None:
        return Refusal(Check.C4006, "party", words("the secretariat's role is registry-wide"))
    if (role is Role.ENTITY) != (entity is not None):
        return Refusal(
            Check.C3005,
            "entity",
            words("an entity's representative, and only they, name the entity"),
        )
    if entity is not None and party is not None and not entity.startswith(f"{party}-"):
        return Refusal(
            Check.C4006,
            "entity",
            words("{entity} is not an entity of {party}", entity=entity, party=party),
        )
    if party is None and actor.role is not Role.SECRETARIAT:
        return Refusal(Check.C4002, field, words("only the secretariat grants registry-wide roles"))
    return permits(actor, Permission.MANAGE_USERS, party, field=field)


def may_pull_mechanism(actor: Actor, party: str | None) -> Refusal | None:
    """None if `actor` may ask the Article 6.4 mechanism registry for the authorized A6.4ERs
    of `party`'s authorizations (registry-wide when None), else why not (C5005).

    The secretariat pulls registry-wide; a Party's administrators and users pull for their own
    Party only; auditors and entities' representatives view what was pulled, pull nothing."""
    if actor.role is Role.SECRETARIAT:
        return None
    if actor.role not in (Role.ADMINISTRATOR, Role.PARTY_USER):
        return Refusal(
            Check.C5005, "actor", words("the role {role} views pulls, pulls none", role=actor.role)
        )
    if party is None or party != actor.party:
        return Refusal(
            Check.C5005,
            "party",
            words(
                "{actor} pulls {party}'s authorizations only, not {other}'s",
                actor=actor.name,
                party=actor.party,
                other=party,
            )
            if party
            else words(
                "{actor} pulls {party}'s authorizations only, not the whole registry's",
                actor=actor.name,
                party=actor.party,
            ),
        )
    return None


def may_view_mechanism(actor: Actor, party: str | None) -> Refusal | None:
    """None if `actor` may view a pull for `party` (None: registry-wide): registry-wide readers
    every pull, a Party's readers (not an entity's representatives) their Party's."""
    if actor.registry_wide:
        return None
    if actor.role is Role.ENTITY or party is None or party != actor.party:
        return Refusal(
            Check.C5005,
            "party",
            words("{actor} views {party}'s pulls only", actor=actor.name, party=actor.party),
        )
    return None
