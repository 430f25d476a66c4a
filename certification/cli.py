"""The command line of certification: `portal eligibility` (SPEC 5.2), `portal send-reminders`."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

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
    click.echo(f"{len(report.sent)} reminder(s) sent.")  # queued and delivered now
    for reminder in report.without_partner:
        click.echo(
            f"No PRO Partner for {reminder.certificate.organisation}: "
            f"{reminder.certificate.staff_email} {reminder.certificate.track} runs out "
            f"on {reminder.certificate.valid_until}.",
            err=True,
        )
    for organisation, error in report.failed.items():
        click.echo(
            f"Mail to {organisation} could not go yet ({error}); it waits in the outbox and "
            "`portal send-mail` retries it.",
            err=True,
        )
    if report.failed:
        sys.exit(1)


# --- the yearly review (SPEC 5.3) ----------------------------------------------------------


@click.group(name="review", help="DG R&O's yearly eligibility review (SPEC 5.3).")
def review_group() -> None:
    pass


def _run_review(call) -> Any:  # type: ignore[no-untyped-def]
    """Run a review service call in English; a refusal exits non-zero with its message."""
    from core.errors import Refused, TransitionRefused
    from core.i18n import set_language

    async def run() -> Any:
        set_language("en")
        return await call()

    try:
        return asyncio.run(run())
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    except TransitionRefused:
        raise click.ClickException(
            "the decision changed meanwhile: run the command again"
        ) from None


_YEAR = click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The year Y.")
_ACTOR = "review"


@review_group.command(
    name="open",
    help="Freeze every organisation's eligibility on 31 December Y (Y: this year or earlier).",
)
@_YEAR
def review_open(year: int) -> None:
    from certification.review.service import open_review
    from core.audit import Actor

    count = _run_review(lambda: open_review(Actor.command_line(_ACTOR), year))
    click.echo(f"The review of {year} is open: {count} organisation(s), as of {year}-12-31.")


@review_group.command(name="status", help="The review: frozen levels, flags, decisions.")
@_YEAR
@click.option("--format", "output", type=click.Choice(["json", "table"]), default="table")
def review_status_command(year: int, output: str) -> None:
    import json

    from certification.review.service import review_status

    status = _run_review(lambda: review_status(year))
    if status is None:
        raise click.ClickException(f"There is no review of {year}: open it first.")
    if output == "json":
        click.echo(json.dumps(status, ensure_ascii=False))
        return
    click.echo(
        f"Review {status['year']} ({status['state']}), as of {status['as_of']}, "
        f"policy from {status['policy_effective_from']}"
    )
    click.echo(f"{'organisation':<14}{'granted':<12}{'eligible':<12}{'flag':<10}decision")
    for row in status["organisations"]:
        click.echo(
            f"{row['organisation']:<14}{row['granted_level']:<12}{row['eligible_level']:<12}"
            f"{row['flag'] or '':<10}{row['decision'] or ''}"
        )


@review_group.command(name="decide", help="Decide on one organisation (confirm, withdraw, grant).")
@_YEAR
@click.option("--organisation", required=True, help="Organisation code.")
@click.option("--decision", required=True, help="confirm, withdraw or grant.")
@click.option("--reason", required=True, help="Why (required).")
def review_decide(year: int, organisation: str, decision: str, reason: str) -> None:
    from certification.review.service import decide
    from core.audit import Actor

    _run_review(lambda: decide(Actor.command_line(_ACTOR), year, organisation, decision, reason))
    click.echo(f"{organisation.upper()}: {decision} recorded in the review of {year}.")


@review_group.command(
    name="discard", help="Remove an open review and its decisions (a closed one stays)."
)
@_YEAR
def review_discard(year: int) -> None:
    from certification.review.service import discard_review
    from core.audit import Actor

    count = _run_review(lambda: discard_review(Actor.command_line(_ACTOR), year))
    click.echo(f"The review of {year} has been discarded: {count} organisation(s) removed.")


@review_group.command(
    name="close",
    help="Apply the decisions and close the review for good (from 1 January Y+1).",
)
@_YEAR
def review_close(year: int) -> None:
    from certification.review.service import close_review
    from core.audit import Actor

    changed = _run_review(lambda: close_review(Actor.command_line(_ACTOR), year))
    click.echo(
        f"The review of {year} is closed; granted level changed for: "
        f"{', '.join(changed) if changed else 'none'}."
    )


@review_group.command(name="letters", help="Write DIR/CODE.pdf for each decided organisation.")
@_YEAR
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write to."
)
def review_letters(year: int, out: str) -> None:
    from pathlib import Path

    from certification.review.letters import review_letters
    from core.settings import get_settings

    signatory = get_settings().letters
    letters = _run_review(lambda: review_letters(year, signatory=signatory))
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for code, pdf in letters:
        (folder / f"{code}.pdf").write_bytes(pdf)
    click.echo(f"{len(letters)} letter(s) written to {folder}.")


COMMANDS = [eligibility_command, send_reminders_command, review_group]
