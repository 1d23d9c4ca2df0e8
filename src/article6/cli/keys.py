"""`article6 keys rotate`: a new signing key for the registry, the old one retired."""

from __future__ import annotations

import sys

import click

from article6.cli.database import DATABASE
from article6.store.database import database_url


@click.group()
def keys() -> None:
    """The registry's signing key (messages and journal checkpoints)."""


@keys.command("rotate")
@DATABASE
def rotate(database: str | None) -> None:
    """Make a new signing key and retire the old one (its checkpoints still verify). A
    registry connected to the hub announces the new key first, signed with the old one; if
    the hub does not take it, nothing changes."""
    import httpx

    from article6.domain.checkpoints import fingerprint
    from article6.interop.key_rotation import AnnouncementRefused
    from article6.interop.key_rotation import rotate as rotate_key
    from article6.interop.transport import HttpTransport
    from article6.services.context import Registry

    registry = Registry.open(database_url(database))
    try:
        rotation = rotate_key(registry, HttpTransport())
    except (AnnouncementRefused, ValueError, OSError, httpx.HTTPError) as error:
        click.echo(f"The key was not rotated: {error}", err=True)
        sys.exit(1)
    click.echo(f"Retired {fingerprint(rotation.previous_key)} at {rotation.valid_from.isoformat()}")
    click.echo(f"Signing with {fingerprint(rotation.public_key)}")
    click.echo(f"Public key: {rotation.public_key}")
    if rotation.announced:
        click.echo("The hub acknowledged the new key.")
