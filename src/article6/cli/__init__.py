"""`article6 …`: the command line of the registry.

Each group of commands lives in its own module; `main`, the console script, gathers them.
"""

from __future__ import annotations

import click

from article6.cli.adjustments import adjustments
from article6.cli.approvals import expire
from article6.cli.backup import backup
from article6.cli.checks import checks
from article6.cli.consistency import aef_consistency as _aef_consistency  # noqa: F401
from article6.cli.database import db
from article6.cli.demo import demo
from article6.cli.history import history
from article6.cli.interop import hub, hub_operator, network
from article6.cli.journal import journal
from article6.cli.keys import keys
from article6.cli.mechanism import mechanism
from article6.cli.notifications import notifications
from article6.cli.reports import aef, report
from article6.cli.serve import serve
from article6.cli.settings import settings
from article6.cli.unit_marks import units
from article6.cli.users import users


@click.group()
def main() -> None:
    """The Article 6.2 International Registry and Additional Registry Services."""


for command in (
    db,
    backup,
    journal,
    keys,
    checks,
    settings,
    demo,
    users,
    expire,
    serve,
    aef,
    report,
    hub,
    hub_operator,
    network,
    units,
    notifications,
    history,
    mechanism,
):
    main.add_command(command)
aef.add_command(adjustments)
