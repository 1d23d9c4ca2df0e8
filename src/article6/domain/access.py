"""Who may do what: the one place that decides access to the registry's commands and queries.

Roles are held for a Party section (the secretariat's for the whole registry). The API and the
web pages ask here; so do the services, so no door can bypass it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from article6.domain.checks import Check, Refusal


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
class Actor:
    """Who is acting: a user name, a role, the Party section it is held for and, for an
    authorized entity's representative, the entity's identifier."""

    name: str
    role: Role
    party: str | None = None
    entity: str | None = None

    @property
    def registry_wide(self) -> bool:
        return self.role is Role.SECRETARIAT or (self.role is Role.AUDITOR and self.party is None)

    @property
    def label(self) -> str:
        scope = self.party or "registry"
        if self.entity:
            scope += f"/{self.entity}"
        return f"{self.name} ({self.role}, {scope})"


def permits(
    actor: Actor,
    permission: Permission,
    party: str | None,
    entity: str | None = None,
    field: str = "actor",
) -> Refusal | None:
    """None if `actor` may use `permission` in `party`'s section (on `entity`'s accounts when
    given), else the refusal that says why not."""
    if permission not in GRANTS[actor.role]:
        return Refusal(
            Check.C4002,
            field,
            f"the role {actor.role} does not allow {permission.value.replace('_', ' ')}",
        )
    if not actor.registry_wide and party is not None and actor.party != party:
        return Refusal(Check.C4006, field, f"{actor.name} acts for {actor.party}, not {party}")
    if actor.role is Role.ENTITY and permission is not Permission.READ and actor.entity != entity:
        return Refusal(
            Check.C4002,
            field,
            "an authorized entity's representative acts only on that entity's accounts",
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
        return Refusal(Check.C4006, "party", f"the role {role} is held for a Party section")
    if role is Role.SECRETARIAT and party is not None:
        return Refusal(Check.C4006, "party", "the secretariat's role is registry-wide")
    if (role is Role.ENTITY) != (entity is not None):
        return Refusal(
            Check.C3005, "entity", "an entity's representative, and only they, name the entity"
        )
    if entity is not None and party is not None and not entity.startswith(f"{party}-"):
        return Refusal(Check.C4006, "entity", f"{entity} is not an entity of {party}")
    if party is None and actor.role is not Role.SECRETARIAT:
        return Refusal(Check.C4002, field, "only the secretariat grants registry-wide roles")
    return permits(actor, Permission.MANAGE_USERS, party, field=field)
