"""The command line of certification: `portal eligibility` (SPEC 5.2), `portal send-reminders`."""

from __future__ import annotations

import asyncio
import sys

import click

from core.cli import option_date


@click.command(
    name="eligibility", help="Print every organisation's certification level (SPEC 5.2)."
)
@click.option("--as-of", "as_of", default=None, help="Date YYYY-MM-DD (default: today).")
@click.option("--organisation", default=None, help="Only this organisation code.")
@click.option("--format", "output", type=click.Choice(["json", "csv", "table"]), default="table")
def eligibility_command(as_of: str | None, organisation: str | None, output: str) -> None:
    from certification.eligibility import eligibility_for_all
    from certification.exports import eligibility_csv, eligibility_json, eligibility_table

    day = option_date(as_of, "--as-of")
    results = asyncio.run(eligibility_for_all(day, organisation))
    if organisation and not results:
        raise click.ClickException(f"There is no organisation with code {organisation!r}.")
    rows = [r.as_dict() for r in results]
    render = {"json": eligibility_json, "csv": eligibility_csv, "table": eligibility_table}[output]
    click.echo(render(rows), nl=output != "csv")


@click.command(
    name="send-reminders", help="Mail PRO Partners about certificates running out (for cron)."
)
@click.option("--today", default=None, help="Pretend today is YYYY-MM-DD (default: today).")
def send_reminders_command(today: str | None) -> None:
    from certification.reminders import send_certificate_reminders
    from core.mail import mail_sender
    from core.settings import get_settings

    day = option_date(today, "--today")

    report = asyncio.run(send_certificate_reminders(day, mail_sender(get_settings().mail)))
    click.echo(f"{len(report.sent)} reminder(s) sent.")
    for reminder in report.without_partner:
        click.echo(
            f"No PRO Partner for {reminder.certificate.organisation}: "
            f"{reminder.certificate.staff_email} {reminder.certificate.track} runs out "
            f"on {reminder.certificate.valid_until}.",
            err=True,
        )
    for organisation, error in report.failed.items():
        click.echo(
            f"Mail to {organisation} failed ({error}); it is retried on the next run.", err=True
        )
    if report.failed:
        sys.exit(1)


COMMANDS = [eligibility_command, send_reminders_command]
