"""The command line of accounts: `portal create-user`."""

from __future__ import annotations

import asyncio

import click

from core.identity import Role


@click.command(
    name="create-user",
    help="Create a user, or reset the roles and password of one (ending their sessions).",
)
@click.argument("email")
@click.option("--name", "full_name", required=True, help="Full name shown in the portal.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([str(role) for role in Role]),
)
@click.option("--organisation", default=None, help="Organisation code (scope) of the user.")
@click.password_option(help="Asked for when not given.")
def create_user_command(
    email: str, full_name: str, roles: tuple[str, ...], organisation: str | None, password: str
) -> None:
    from accounts.service import UserInputError, save_user
    from core.i18n import set_language

    set_language("en")  # the command line speaks English, the password rule's words too
    try:
        asyncio.run(
            save_user(email, full_name, roles, organisation, password, command="create-user")
        )
    except UserInputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"User {email.lower()} saved.")


COMMANDS = [create_user_command]
