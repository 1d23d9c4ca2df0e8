"""`article6 users`: users and their roles, the first secretariat administrator included."""

from __future__ import annotations

import click
from pydantic import ValidationError

from article6.cli.database import DATABASE, open_registry
from article6.cli.refusals import fail, fail_invalid
from article6.domain.checks import CommandRefused


@click.group()
def users() -> None:
    """Users and their roles (the first secretariat administrator is made here)."""


ROLE = click.Choice(["secretariat", "administrator", "party_user", "entity", "auditor"])


@users.command("create")
@DATABASE
@click.argument("name")
@click.option("--display-name", required=True)
@click.option("--role", type=ROLE, required=True)
@click.option("--party", default=None, help="The Party section (none: registry-wide).")
@click.option("--entity", default=None, help="The entity, for a representative.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--enrol", is_flag=True, help="Enrol a TOTP second factor now and show it.")
def users_create(
    database: str | None,
    name: str,
    display_name: str,
    role: str,
    party: str | None,
    entity: str | None,
    password: str,
    enrol: bool,
) -> None:
    """Create a user holding one role; without --enrol they enrol their second factor at
    POST /api/v1/enrolment."""
    import segno

    from article6.domain import totp
    from article6.domain.access import Actor, Role
    from article6.services import identity

    registry = open_registry(database)
    installer = Actor("installer", Role.SECRETARIAT)
    secret = totp.new_secret() if enrol else None
    try:
        identity.create_section_user(
            registry,
            installer,
            identity.CreateUser(name=name, display_name=display_name, password=password),
            identity.GrantRole(role=Role(role), party=party, entity=entity),
            totp_secret=secret,
        )
    except CommandRefused as refused:
        fail(refused)
    except ValidationError as invalid:
        fail_invalid(invalid)
    click.echo(f"created {name} ({role}, {party or 'registry'})")
    if secret:
        uri = totp.provisioning_uri(secret, name)
        click.echo(f"TOTP secret: {secret}\n{uri}")
        segno.make(uri, error="m").terminal(compact=True)


@users.command("grant")
@DATABASE
@click.argument("name")
@click.option("--role", type=ROLE, required=True)
@click.option("--party", default=None)
@click.option("--entity", default=None)
def users_grant(
    database: str | None, name: str, role: str, party: str | None, entity: str | None
) -> None:
    """Grant NAME a role in a Party section (replacing any role held there)."""
    from article6.domain.access import Actor, Role
    from article6.services import identity

    registry = open_registry(database)
    try:
        identity.grant_role(
            registry,
            Actor("installer", Role.SECRETARIAT),
            name,
            identity.GrantRole(role=Role(role), party=party, entity=entity),
        )
    except CommandRefused as refused:
        fail(refused)
    except ValidationError as invalid:
        fail_invalid(invalid)
    click.echo(f"{name} is {role} in {party or 'the registry'}")


@users.command("password-reset")
@DATABASE
@click.argument("name")
def users_password_reset(database: str | None, name: str) -> None:
    """Give NAME a temporary password, printed once, that they must change at their next
    sign-in; every session and token of NAME ends."""
    from article6.domain.access import Actor, Role
    from article6.services import passwords

    registry = open_registry(database)
    try:
        reset = passwords.reset_password(registry, Actor("installer", Role.SECRETARIAT), name)
    except CommandRefused as refused:
        fail(refused)
    click.echo(f"temporary password for {name}: {reset.temporary_password}")
    click.echo(f"{name} must change it at their next sign-in (every session of {name} ended)")


@users.command("unlock")
@DATABASE
@click.argument("name")
def users_unlock(database: str | None, name: str) -> None:
    """Lift NAME's lock after repeated failed sign-ins."""
    from article6.domain.access import Actor, Role
    from article6.services import identity

    registry = open_registry(database)
    try:
        identity.unlock_user(registry, Actor("installer", Role.SECRETARIAT), name)
    except CommandRefused as refused:
        fail(refused)
    click.echo(f"{name} is unlocked")


@users.command("list")
@DATABASE
@click.option("--party", default=None, help="Only users holding a role in this section.")
@click.option("--role", type=ROLE, default=None, help="Only users holding this role.")
@click.option(
    "--status",
    type=click.Choice(["active", "locked", "disabled", "enrolling"]),
    default=None,
    help="Only users in this state (enrolling: second factor still to enrol).",
)
def users_list(
    database: str | None, party: str | None, role: str | None, status: str | None
) -> None:
    """The registry's users, one a line: name, state, roles (section, entity)."""
    from article6.domain.access import Actor, Role
    from article6.services import identity, user_status

    registry = open_registry(database)
    installer = Actor("installer", Role.SECRETARIAT)
    try:
        found = identity.list_users(registry, installer, None)
    except CommandRefused as refused:
        fail(refused)
    now = registry.now()
    chosen = user_status.matching(found, now, party, Role(role) if role else None, status)
    for user in chosen:
        grants = ", ".join(
            f"{g.role}@{g.party or 'registry'}" + (f"/{g.entity}" if g.entity else "")
            for g in user.grants
        )
        state = user_status.state_of(user, now)
        click.echo(f"{user.name}\t{state}\t{grants or 'no role'}\t{user.display_name}")
    click.echo(f"{len(chosen)} user(s)", err=True)


@users.command("disable")
@DATABASE
@click.argument("name")
def users_disable(database: str | None, name: str) -> None:
    """Disable NAME: they sign in to nothing more, and every session and token of theirs
    ends now."""
    from article6.domain.access import Actor, Role
    from article6.services import user_status

    registry = open_registry(database)
    try:
        user_status.disable_user(registry, Actor("installer", Role.SECRETARIAT), name)
    except CommandRefused as refused:
        fail(refused)
    click.echo(f"{name} is disabled (every session of {name} ended)")


@users.command("enable")
@DATABASE
@click.argument("name")
def users_enable(database: str | None, name: str) -> None:
    """Let a disabled NAME sign in again, with the roles they held."""
    from article6.domain.access import Actor, Role
    from article6.services import user_status

    registry = open_registry(database)
    try:
        user_status.enable_user(registry, Actor("installer", Role.SECRETARIAT), name)
    except CommandRefused as refused:
        fail(refused)
    click.echo(f"{name} is enabled")


@users.command("reset-second-factor")
@DATABASE
@click.argument("name")
def users_reset_second_factor(database: str | None, name: str) -> None:
    """Clear NAME's lost authenticator: they enrol again at their next sign-in, and every
    session and token of theirs ends."""
    from article6.domain.access import Actor, Role
    from article6.services import identity

    registry = open_registry(database)
    try:
        identity.reset_second_factor(registry, Actor("installer", Role.SECRETARIAT), name)
    except CommandRefused as refused:
        fail(refused)
    click.echo(f"{name}'s second factor is cleared: they enrol again at their next sign-in")


@users.command("enrolment-link")
@DATABASE
@click.argument("name")
def users_enrolment_link(database: str | None, name: str) -> None:
    """Send NAME (a user who has not enrolled a second factor yet) a new enrolment link by
    e-mail (ARTICLE6_SMTP_HOST and the other mail settings, ARTICLE6_PUBLIC_URL); their
    previous link stops working. When the e-mail cannot leave, the link is printed once, to
    pass on by hand."""
    from article6.domain.access import Actor, Role
    from article6.services import enrolment_links
    from article6.settings import InsecureSettings, InvalidSetting, Settings

    try:
        settings = Settings.from_env()
    except (InvalidSetting, InsecureSettings) as problem:
        raise click.ClickException(str(problem)) from None
    registry = open_registry(database)
    try:
        sent = enrolment_links.send_new_link(
            registry, settings, Actor("installer", Role.SECRETARIAT), name
        )
    except CommandRefused as refused:
        fail(refused)
    until = sent.expires_at.isoformat(timespec="minutes")
    if sent.emailed:
        click.echo(f"a new enrolment link for {name} was e-mailed to {sent.email} (until {until})")
    else:
        click.echo(f"the link was not e-mailed: {sent.email_error}", err=True)
        base = (settings.public_url or "").rstrip("/")
        click.echo(f"enrolment link for {name} (until {until}): {base}/enrolment-link/{sent.token}")
