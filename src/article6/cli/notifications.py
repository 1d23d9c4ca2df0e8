"""`article6 notifications deliver`: notify what the journal recorded since the last run and
send the e-mails due, once (for cron, where the serve loop does not run it)."""

from __future__ import annotations

import click

from article6.cli.database import DATABASE, open_registry


@click.group()
def notifications() -> None:
    """Users' notifications: the in-app inbox and e-mail over SMTP."""


@notifications.command()
@DATABASE
def deliver(database: str | None) -> None:
    """Project new journal entries into notifications and send the e-mails due
    (ARTICLE6_SMTP_HOST, _PORT, _FROM, _TLS, _USER, _PASSWORD); failures are retried later."""
    from article6.services.notification_mail import NotificationStep
    from article6.settings import InsecureSettings, InvalidSetting, Settings

    try:
        settings = Settings.from_env()
    except (InvalidSetting, InsecureSettings) as problem:
        raise click.ClickException(str(problem)) from None
    registry = open_registry(database)
    projected, delivery = NotificationStep.from_settings(registry, settings)()
    click.echo(f"{projected} notification(s) added")
    if delivery is None:
        click.echo("e-mail is off (ARTICLE6_SMTP_HOST is not set)")
    else:
        click.echo(
            f"{delivery.sent} e-mail(s) sent, {delivery.retrying} to retry, "
            f"{delivery.given_up} given up"
        )
