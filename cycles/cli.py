"""The command line of evaluation cycles (SPEC 5.4): `portal cycles generate|list`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys

import click

from core.cli import option_date


@click.group(name="cycles", help="Evaluation cycles (SPEC 5.4).")
def cycles_group() -> None:
    pass


@cycles_group.command(name="generate", help="Create every cycle that starts on or before a date.")
@click.option("--through", required=True, help="Date YYYY-MM-DD.")
@click.option("--organisation", default=None, help="Only this organisation code.")
def generate_command(through: str, organisation: str | None) -> None:
    from core.audit import Actor
    from cycles.service import generate

    day = option_date(through, "--through")
    result = asyncio.run(generate(Actor.command_line("cycles generate"), day, organisation))
    click.echo(
        f"{result.created} cycle(s) created, {result.changed} changed, "
        f"{result.removed} removed (through {day})."
    )


@cycles_group.command(name="list", help="Print the cycles.")
@click.option("--organisation", default=None, help="Only this organisation code.")
@click.option("--format", "output", type=click.Choice(["json", "csv"]), default="json")
def list_command(organisation: str | None, output: str) -> None:
    from cycles.queries import cycle_rows

    rows = asyncio.run(cycle_rows(organisation))
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=["email", "organisation", "function", "start", "end", "kind"],
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


@cycles_group.command(
    name="remind", help="Mail the reminders due 7 days before each evaluation deadline (cron)."
)
@click.option("--today", default=None, help="Pretend today is YYYY-MM-DD (default: today).")
def remind_command(today: str | None) -> None:
    from core.mail import mail_sender
    from core.settings import get_settings
    from cycles.reminders import send_cycle_reminders

    day = option_date(today, "--today")
    report = asyncio.run(send_cycle_reminders(day, mail_sender(get_settings().mail)))
    click.echo(f"{report.queued} reminder mail(s) sent.")
    for address, error in report.failed.items():
        click.echo(
            f"Mail to {address} could not go yet ({error}); it waits in the outbox and "
            "`portal send-mail` retries it.",
            err=True,
        )
    if report.failed:
        sys.exit(1)


COMMANDS = [cycles_group]
