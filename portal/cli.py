"""The `portal` command: Litestar's CLI (run, routes, …) with the portal's own commands."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click
from click import Group
from litestar.plugins import CLIPlugin

from accounts import cli as accounts_cli
from certification import cli as certification_cli
from portal.imports import KINDS, ImportScope, import_file


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
    from core.settings import get_settings
    from portal.demo import load_demo_data

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


@click.command(
    name="import",
    help=f"Import KIND ({', '.join(KINDS)}) from a .csv or .xlsx FILE.",
)
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(kind: str, file: Path) -> None:
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    result = asyncio.run(import_file(kind, str(file), file.read_bytes(), ImportScope()))
    if not result.ok:
        for issue in result.issues:
            click.echo(issue.format(str(file)), err=True)
        click.echo(f"Nothing was imported: {len(result.issues)} error(s).", err=True)
        sys.exit(1)
    click.echo(
        f"Imported {result.rows} {kind} row(s): {result.created} new, {result.updated} updated."
    )


class PortalCLIPlugin(CLIPlugin):
    def on_cli_init(self, cli: Group) -> None:
        for command in (
            migrate_command,
            demo_data_command,
            import_command,
            *accounts_cli.COMMANDS,
            *certification_cli.COMMANDS,
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
