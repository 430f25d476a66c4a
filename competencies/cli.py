"""The command line of the competency model: `portal competencies load FILE`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click


@click.group(name="competencies", help="The competency models (SPEC 4).")
def competencies_group() -> None:
    pass


@competencies_group.command(name="load", help="Check a model file and load it (all or nothing).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(file: Path) -> None:
    from competencies.loader import ModelFileRefused, load_file
    from core.audit import Actor

    try:
        count = asyncio.run(load_file(file, Actor.command_line("competencies load")))
    except ModelFileRefused as refused:
        for line in refused.lines(str(file)):
            click.echo(line, err=True)
        raise click.ClickException(
            f"Nothing was loaded: {len(refused.problems)} problem(s)."
        ) from None
    click.echo(f"Loaded {file}: {count} competencies.")


COMMANDS = [competencies_group]
