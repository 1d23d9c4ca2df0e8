"""The database a command runs on (the `--database` option every command takes), and the
`db` group that brings its schema up to date.

A command opens its registry through `open_registry`: a URL it cannot read, a SQLite file that
does not exist (a mistyped path) or a database that does not answer is one line on stderr and
exit status 1, never a traceback, and creates nothing. Only the commands that make a database
(`db upgrade`, `demo`, `hub`) may create a SQLite file, in a folder that exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from article6.store.database import database_url, printable_url

if TYPE_CHECKING:
    from article6.services.context import Registry

DATABASE = click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help="Database URL (default: $ARTICLE6_DATABASE_URL or sqlite:///article6.db).",
)

SQLITE_FILE = re.compile(r"^sqlite(?:\+\w+)?:///(?P<path>[^?]*)")
KNOWN_SCHEMES = re.compile(r"^(?:sqlite|postgres|postgresql)(?:\+\w+)?://")


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (none in memory, or for another database)."""
    found = SQLITE_FILE.match(url)
    if found is None or found["path"] in ("", ":memory:"):
        return None
    return Path(found["path"])


def database_problem(url: str, create: bool = False) -> str | None:
    """Why `url` cannot be opened, in a sentence, before anything touches it; None if it can."""
    if not KNOWN_SCHEMES.match(url):
        shown = url if "://" not in url else printable_url(url)
        hint = f" (for a file: sqlite:///{url})" if "://" not in url else ""
        return (
            f"--database {shown} is not a database URL: write sqlite:///PATH or "
            f"postgresql://USER@HOST:PORT/NAME{hint}"
        )
    path = sqlite_file(url)
    if path is None:
        return None
    if not path.parent.is_dir():
        return f"no folder {path.parent} for the database {path}: check --database"
    if not create and not path.is_file():
        return (
            f"no registry database at {path} (the file does not exist): check --database, "
            "or create one with `article6 db upgrade --database URL` or `article6 demo`"
        )
    return None


def open_registry(database: str | None, create: bool = False, migrate: bool = True) -> Registry:
    """The registry at `database` (the URL, $ARTICLE6_DATABASE_URL or the default), or one
    clear line and exit 1."""
    from article6.services.context import Registry

    url = database_url(database)
    problem = database_problem(url, create)
    if problem is not None:
        raise click.ClickException(problem)
    try:
        return Registry.open(url, migrate=migrate)
    except (ArgumentError, NoSuchModuleError):
        raise click.ClickException(
            f"--database {printable_url(url)} is not a database URL: write sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/NAME"
        ) from None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise click.ClickException(
            f"could not open the database {printable_url(url)}: {reason}"
        ) from None


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@DATABASE
def db_upgrade(database: str | None) -> None:
    """Apply the migrations (creating a SQLite database file that does not exist yet)."""
    open_registry(database, create=True)
    click.echo(f"schema is current on {printable_url(database_url(database))}")
