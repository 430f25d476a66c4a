"""The `portal` command: Litestar's CLI (run, routes, …) with the portal's own commands."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click
from click import Group
from litestar.plugins import CLIPlugin


async def migrate_database() -> None:
    """Apply every app's migrations to the database at DATABASE_URL (SPEC 5)."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from certification.reference_data import seed_reference_data
    from core.database import current_engine, is_sqlite

    result = await run_forwards("all")
    if not result.success:
        raise click.ClickException(f"Migrations failed: {result.message}")
    await seed_reference_data()
    if is_sqlite():
        # Readers keep reading while one writer writes; several workers can share the file.
        await current_engine().run_ddl("PRAGMA journal_mode=WAL")


@click.command(name="migrate", help="Bring the database at DATABASE_URL to the current schema.")
def migrate_command() -> None:
    asyncio.run(migrate_database())
    click.echo("Database is up to date.")


@click.command(
    name="demo-data", help="Load demo organisations and one user per role (development only)."
)
def demo_data_command() -> None:
    from portal.demo import load_demo_data
    from core.settings import get_settings

    if get_settings().is_production:
        raise click.ClickException("Demo data is refused in production (PORTAL_ENV=production).")

    async def migrate_then_load():
        # Demo data needs the schema: bring it up to date first rather than fail.
        await migrate_database()
        return await load_demo_data()

    users = asyncio.run(migrate_then_load())
    click.echo("Demo users (development only):")
    width = max(len(u.email) for u in users)
    for user in users:
        click.echo(f"  {user.email:<{width}}  password: {user.password:<20}  roles: {user.roles}")


@click.command(name="create-user", help="Create a user, or reset the roles and password of one.")
@click.argument("email")
@click.option("--name", "full_name", required=True, help="Full name shown in the portal.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["dgro", "pro_partner", "hr", "evaluator", "staff"]),
)
@click.option("--organisation", default=None, help="Organisation code (scope) of the user.")
@click.password_option(help="Asked for when not given.")
def create_user_command(
    email: str, full_name: str, roles: tuple[str, ...], organisation: str | None, password: str
) -> None:
    from accounts.service import UserInputError, save_user

    try:
        asyncio.run(
            save_user(email, full_name, roles, organisation, password, command="create-user")
        )
    except UserInputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"User {email.lower()} saved.")


@click.command(
    name="import",
    help="Import KIND (organisations, staff, certificates, qchecks) from a .csv or .xlsx FILE.",
)
@click.argument("kind", type=click.Choice(["organisations", "staff", "certificates", "qchecks"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(kind: str, file: Path) -> None:
    from certification.importing import ImportScope, import_file

    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    result = asyncio.run(
        import_file(
            kind, str(file), file.read_bytes(), ImportScope(), record=_import_audit(kind, file)
        )
    )
    if not result.ok:
        for issue in result.issues:
            click.echo(issue.format(str(file)), err=True)
        click.echo(f"Nothing was imported: {len(result.issues)} error(s).", err=True)
        sys.exit(1)
    click.echo(
        f"Imported {result.rows} {kind} row(s): {result.created} new, {result.updated} updated."
    )


def _import_audit(kind: str, file: Path):
    async def record(result) -> None:
        from core import audit

        await audit.record(
            audit.Actor.command_line("import"),
            f"import_{kind}",
            table=kind,
            key=file.name,
            after={"rows": result.rows, "created": result.created, "updated": result.updated},
        )

    return record


@click.command(
    name="eligibility", help="Print every organisation's certification level (SPEC 5.2)."
)
@click.option("--as-of", "as_of", default=None, help="Date YYYY-MM-DD (default: today).")
@click.option("--organisation", default=None, help="Only this organisation code.")
@click.option("--format", "output", type=click.Choice(["json", "csv", "table"]), default="table")
def eligibility_command(as_of: str | None, organisation: str | None, output: str) -> None:
    import datetime as dt

    from certification.eligibility import eligibility_for_all
    from certification.exports import eligibility_csv, eligibility_json, eligibility_table

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise click.BadParameter(
            f"{as_of!r} is not a date in the form YYYY-MM-DD", param_hint="--as-of"
        ) from None
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
    import datetime as dt

    from certification.reminders import send_certificate_reminders
    from core import audit
    from core.database import write_transaction
    from core.mail import mail_sender
    from core.settings import get_settings

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise click.BadParameter(
            f"{today!r} is not a date in the form YYYY-MM-DD", param_hint="--today"
        ) from None

    async def record(report) -> None:
        async with write_transaction():
            await audit.record(
                audit.Actor.command_line("send-reminders"),
                "certificate_reminders_sent",
                table="certificate_reminder",
                key=day.isoformat(),
                after={
                    "sent": len(report.sent),
                    "without_partner": len(report.without_partner),
                    "failed": len(report.failed),
                },
                outcome=audit.Outcome.FAILED if report.failed else audit.Outcome.OK,
            )

    report = asyncio.run(send_certificate_reminders(day, mail_sender(get_settings().mail), record))
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


class PortalCLIPlugin(CLIPlugin):
    def on_cli_init(self, cli: Group) -> None:
        for command in (
            migrate_command,
            demo_data_command,
            create_user_command,
            import_command,
            eligibility_command,
            send_reminders_command,
        ):
            cli.add_command(command)


def main() -> None:
    """Console script `portal`."""
    os.environ.setdefault("LITESTAR_APP", "portal.app:create_app")
    from litestar.cli.main import litestar_group

    from core.settings import SettingsError, get_settings

    try:
        get_settings()
    except SettingsError as error:
        sys.exit(f"portal: {error}")

    sys.exit(litestar_group())
