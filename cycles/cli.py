"""The command line of evaluation cycles (SPEC 5.4): `portal cycles generate|list`."""

from __future__ import annotations

import asyncio
import csv
import io
import json

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
    from cycles.service import cycle_rows

    rows = asyncio.run(cycle_rows(organisation))
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=["email", "organisation", "function", "start", "end"],
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


COMMANDS = [cycles_group]
