"""The demo's users: one per role of the seed's scenarios, with generated passwords and TOTP
secrets printed for the demo. Nothing secret is fixed in the code: each run makes new ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.services import identity
from article6.services.context import Registry

BOOTSTRAP = Actor("demo.setup", Role.SECRETARIAT)

# (name, display name, role, Party section, entity) — names match the actors of `demo.py`.
DEMO_ROLES: list[tuple[str, str, Role, str | None, str | None]] = [
    ("secretariat.admin", "Secretariat administrator", Role.SECRETARIAT, None, None),
    ("xxa.admin", "XXA Party Section Administrator", Role.ADMINISTRATOR, "XXA", None),
    ("xxa.user", "XXA Party user", Role.PARTY_USER, "XXA", None),
    ("xxc.admin", "XXC Party Section Administrator", Role.ADMINISTRATOR, "XXC", None),
    ("green.group.a", "Green Group A representative", Role.ENTITY, "XXA", "XXA-E0001"),
    ("green.c.entity", "Green C Entity representative", Role.ENTITY, "XXC", "XXC-E0001"),
    ("auditor", "Registry auditor", Role.AUDITOR, None, None),
]


@dataclass(frozen=True)
class DemoUser:
    name: str
    password: str
    totp_secret: str
    role: Role
    party: str | None
    entity: str | None

    def code(self) -> str:
        """The TOTP code an authenticator app would show now."""
        from datetime import UTC, datetime

        return totp.code_at(self.totp_secret, datetime.now(UTC))


def create_demo_users(
    registry: Registry, known: dict[str, tuple[str, str]] | None = None
) -> list[DemoUser]:
    """Create the demo users (after `demo.build_world`, which records the entities).

    `known` maps a name to (password, TOTP secret), for tests that must sign in; everyone else
    gets fresh random ones."""
    made = []
    for name, display, role, party, entity in DEMO_ROLES:
        password, secret = (known or {}).get(name) or (
            secrets.token_urlsafe(12),
            totp.new_secret(),
        )
        identity.create_section_user(
            registry,
            BOOTSTRAP,
            identity.CreateUser(name=name, display_name=display, password=password),
            identity.GrantRole(role=role, party=party, entity=entity),
            totp_secret=secret,
        )
        made.append(DemoUser(name, password, secret, role, party, entity))
    return made


def sign_in_instructions(users: list[DemoUser], base_url: str = "http://127.0.0.1:8000") -> str:
    """How to sign in as each demo user (for the terminal of `make run`)."""
    lines = [
        "Demo users (generated for this run; add a TOTP secret to any authenticator app):",
        "",
        f"  {'user':<18} {'role':<14} {'section':<15} {'password':<18} TOTP secret",
    ]
    for user in users:
        section = (user.party or "registry") + (f"/{user.entity}" if user.entity else "")
        lines.append(
            f"  {user.name:<18} {user.role.value:<14} {section:<15} {user.password:<18} "
            f"{user.totp_secret}"
        )
    lines += [
        "",
        "Sign in for an API token (the code is the 6 digits your authenticator shows):",
        f"  curl -s -X POST {base_url}/api/v1/tokens -H 'Content-Type: application/json' \\",
        '       -d \'{"name": "xxa.admin", "password": "…", "code": "123456"}\'',
        f"Then: curl -H 'Authorization: Bearer <token>' {base_url}/api/v1/parties/XXA/accounts",
        f"Interactive API documentation: {base_url}/api/docs",
        f"In a browser: {base_url}/sign-in (user name, password, then the TOTP code)",
        'Current codes: python -c "from article6.domain import totp; from datetime import '
        "datetime, UTC; print(totp.code_at('<secret>', datetime.now(UTC)))\"",
    ]
    return "\n".join(lines) + "\n"
