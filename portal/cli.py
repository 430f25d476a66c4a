"""The `portal` command: the portal's own commands, and Litestar's (run, routes, …).

Start-up stays quick: this module and the areas' `cli` modules import only click and
small modules; each command imports what it needs when it runs, and Litestar's CLI (which
builds the whole app) is loaded only for its own commands.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click
from click import Group

from accounts import cli as accounts_cli
from certification import cli as certification_cli
from competencies import cli as competencies_cli
from cycles import cli as cycles_cli
from portal.hooks import install as install_hooks


async def migrate_database() -> int:
    """Apply every app's migrations to the database at DATABASE_URL (SPEC 5); returns how
    many ran. Piccolo's per-app report ("4 already complete", "4 not yet run", …) is kept
    back: it is shown only when a migration fails."""
    import contextlib
    import io

    from piccolo.apps.migrations.commands.forwards import run_forwards

    from certification.catalogue import seed_track_competencies
    from certification.reference_data import seed_reference_data
    from competencies.loader import seed_models
    from core.database import current_engine, is_sqlite
    from qchecks.reference_data import seed_criteria

    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        result = await run_forwards("all")
    if not result.success:
        click.echo(report.getvalue(), err=True)
        raise click.ClickException(f"Migrations failed: {result.message}")
    await seed_reference_data()
    await seed_criteria()
    await seed_models()
    await seed_track_competencies()
    if is_sqlite():
        # Readers keep reading while one writer writes; several workers can share the file.
        await current_engine().run_ddl("PRAGMA journal_mode=WAL")
    return report.getvalue().count("[forwards]... ok")


@click.command(name="migrate", help="Bring the database at DATABASE_URL to the current schema.")
def migrate_command() -> None:
    applied = asyncio.run(migrate_database())
    if applied:
        click.echo(f"Database is up to date ({applied} migration(s) applied).")
    else:
        click.echo("Database is up to date (nothing to apply).")


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
        return await load_demo_data(say=click.echo)

    users = asyncio.run(migrate_then_load())
    click.echo("Demo users (development only):")
    width = max(len(u.email) for u in users)
    for user in users:
        click.echo(f"  {user.email:<{width}}  password: {user.password:<20}  roles: {user.roles}")


@click.command(
    name="import",
    help="Import KIND (organisations, staff, certificates, qchecks: SPEC 5.1) from a .csv or "
    ".xlsx FILE; all or nothing.",
)
@click.argument("kind")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(kind: str, file: Path) -> None:
    from portal.imports import KINDS, ImportScope, import_file

    if kind not in KINDS:
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="'KIND'")
    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    result = asyncio.run(import_file(kind, str(file), file.read_bytes(), ImportScope()))
    if not result.ok:
        for issue in result.issues:
            click.echo(issue.format(str(file)), err=True)
        click.echo(f"Nothing was imported: {len(result.issues)} error(s).", err=True)
        sys.exit(1)
    rows = "row" if result.rows == 1 else "rows"
    read_as = f" The file was read as {result.encoding} text." if result.encoding else ""
    click.echo(
        f"Imported {result.rows} {kind} {rows}: {result.created} new, "
        f"{result.updated} updated.{read_as}"
    )


@click.command(
    name="send-mail",
    help="Deliver the e-mail outbox through SMTP (for cron; --loop keeps running).",
)
@click.option("--loop", is_flag=True, help="Keep running, delivering every --interval seconds.")
@click.option("--interval", type=click.IntRange(1, 3600), default=30, show_default=True)
def send_mail_command(loop: bool, interval: int) -> None:
    import os
    import socket

    from core.mail import mail_sender
    from core.outbox import deliver_due
    from core.settings import get_settings

    send = mail_sender(get_settings().mail)
    worker = f"{socket.gethostname()}:{os.getpid()}"

    async def run() -> tuple[int, int]:
        sent, failed = await deliver_due(send, worker)
        while loop:
            await asyncio.sleep(interval)
            more_sent, more_failed = await deliver_due(send, worker)
            if more_sent or more_failed:
                click.echo(f"{more_sent} sent, {more_failed} to retry later.")
        return sent, failed

    sent, failed = asyncio.run(run())
    click.echo(f"{sent} message(s) sent, {failed} to retry later.")
    if failed:
        sys.exit(1)


@click.command(
    name="send-digest",
    help="Queue the daily digest of notices for those who chose one (cron, once a day); "
    "`portal send-mail` delivers it.",
)
def send_digest_command() -> None:
    import datetime as dt

    from accounts.service import send_notice_digests

    count = asyncio.run(send_notice_digests(dt.datetime.now(dt.UTC)))
    click.echo(f"{count} digest mail(s) queued.")


@click.command(name="backup", help="Write a consistent copy of the database to FILE.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    import time

    from core.backup import BackupError, backup
    from core.settings import get_settings

    started = time.perf_counter()
    try:
        backup(get_settings().database.url, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size = file.stat().st_size
    click.echo(f"Backed up to {file} ({size:,} bytes, {time.perf_counter() - started:.1f} s).")


@click.command(
    name="restore",
    help="Replace the database with the backup in FILE (made by `portal backup`), whole or not "
    "at all. Asks first unless --yes.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    import time

    from core.backup import BackupError, restore
    from core.settings import get_settings

    if not yes:
        click.confirm(
            "Every record in the database will be replaced by the backup's. Go on?", abort=True
        )
    started = time.perf_counter()
    try:
        restore(get_settings().database.url, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {file} ({time.perf_counter() - started:.1f} s).")


PORTAL_COMMANDS = (
    migrate_command,
    backup_command,
    restore_command,
    demo_data_command,
    import_command,
    send_mail_command,
    send_digest_command,
    *accounts_cli.COMMANDS,
    *certification_cli.COMMANDS,
    *competencies_cli.COMMANDS,
    *cycles_cli.COMMANDS,
)


@click.command(name="run")
@click.option("--host", "-H", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", "-p", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option("--reload", "-r", is_flag=True, help="Restart when the code changes.")
@click.option(
    "--web-concurrency",
    "--wc",
    "-W",
    "workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes.",
)
def run_command(host: str, port: int, reload: bool, workers: int) -> None:
    """Serve the portal (uvicorn). X-Forwarded-For and -Proto are believed only from the
    proxies in FORWARDED_ALLOW_IPS (none by default): otherwise the client's address (the
    login rate limit, the audit log) is the peer's, whatever the request claims."""
    import uvicorn

    from core.settings import get_settings

    settings = get_settings()
    if not settings.is_production and not os.environ.get("PUBLIC_URL"):
        # Development: the mailed links lead to this server (its --host and --port), never to
        # the Host a request names. Production requires PUBLIC_URL.
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
        os.environ["PUBLIC_URL"] = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
        get_settings.cache_clear()
    proxies = settings.security.forwarded_allow_ips
    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        proxy_headers=bool(proxies),
        # Never uvicorn's own default (127.0.0.1: anything on the machine could claim any
        # address); with no proxy configured the headers are not read at all.
        forwarded_allow_ips=list(proxies) or [],
        log_config=_uvicorn_log_config(),
    )


def _uvicorn_log_config() -> dict:
    """uvicorn's own logging, with the tokens of account-mail links taken out of every line:
    its access log prints each path, `/password/reset/8/<token>` too."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_tokens": {"()": "portal.security.RedactTokens"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_tokens"]
    return config


# Litestar's own commands that `portal` passes on (they build the app).
LITESTAR_COMMANDS = {
    "routes": "List the routes of the portal.",
    "info": "Show the app's Litestar configuration.",
    "schema": "Export the OpenAPI schema.",
    "sessions": "Manage server-side sessions.",
}


def _litestar_command(name: str, help_text: str) -> click.Command:
    @click.command(
        name=name,
        help=help_text,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )
    @click.pass_context
    def command(ctx: click.Context) -> None:
        from litestar.cli.main import litestar_group

        litestar_group.main(args=[name, *ctx.args], prog_name="portal")

    return command


@click.group(name="portal", help="The PRO certification portal.")
def portal_group() -> None:
    # Every command runs the areas as the shell assembles them (the hooks import nothing yet).
    install_hooks()


for _command in PORTAL_COMMANDS:
    portal_group.add_command(_command)
portal_group.add_command(run_command)
for _name, _help in LITESTAR_COMMANDS.items():
    portal_group.add_command(_litestar_command(_name, _help))


def make_cli_plugin():
    """The same commands under `litestar` itself (LITESTAR_APP=portal.app:create_app)."""
    from litestar.plugins import CLIPlugin

    class PortalCLIPlugin(CLIPlugin):
        def on_cli_init(self, cli: Group) -> None:
            for command in PORTAL_COMMANDS:
                cli.add_command(command)

    return PortalCLIPlugin()


def main() -> None:
    """Console script `portal`."""
    os.environ.setdefault("LITESTAR_APP", "portal.app:create_app")
    from core.settings import SettingsError, get_settings

    try:
        get_settings()
    except SettingsError as error:
        sys.exit(f"portal: {error}")

    sys.exit(portal_group())
