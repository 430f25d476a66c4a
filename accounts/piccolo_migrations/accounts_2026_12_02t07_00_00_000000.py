"""Accounts linked to their own staff record by id (issue 18), once, from today's data.

Until now a dossier followed the staff record whose e-mail equalled the reader's: an
e-mail that DG R&O and the PRO Partner can edit. This links each account to the staff
record with its e-mail *in its own organisation* (the only match the old rule could make
for a dossier of that organisation), one account per record (a unique index), and
reports what it did: one audit entry listing the links made and the accounts holding the
staff or evaluator role that could not be linked (no staff record with that e-mail in
their organisation), so DG R&O or HR can link them by hand on the account's page. From
now on a link is made only by an invitation that named the record, or by DG R&O or HR.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Link accounts to their staff record by today's e-mail match; one account per record"

_LINK = (
    "UPDATE portal_user SET staff_member = (SELECT s.id FROM staff_member s "
    "WHERE lower(s.email) = lower(portal_user.email) "
    "AND s.organisation = portal_user.organisation) "
    "WHERE staff_member IS NULL"
)


async def link_and_report() -> None:
    """The links, the unique index and the report (the tests run it on their own data)."""
    from accounts.tables import User
    from core import audit

    await User.raw(_LINK)
    await User.raw(
        "CREATE UNIQUE INDEX IF NOT EXISTS portal_user_staff_member ON portal_user (staff_member)"
    )
    linked = await User.raw(
        "SELECT email FROM portal_user WHERE staff_member IS NOT NULL ORDER BY email"
    )
    unlinked = [
        row["email"]
        for row in await User.raw(
            "SELECT email, roles FROM portal_user WHERE staff_member IS NULL ORDER BY email"
        )
        if {"staff", "evaluator"} & set(row["roles"].split(","))
    ]
    if not linked and not unlinked:
        return  # a new installation: nothing to report
    await audit.record(
        audit.Actor.command_line("migrate"),
        "staff_records_linked",
        table="portal_user",
        key="migration 2026-12-02",
        after={
            "linked": ", ".join(row["email"] for row in linked)[:4000],
            "not_linked": ", ".join(unlinked)[:4000],
        },
        detail=f"{len(linked)} accounts linked to their staff record by e-mail; "
        f"{len(unlinked)} staff or evaluator accounts without one",
    )
    print(  # the report of `portal migrate`
        f"Linked {len(linked)} accounts to their staff record; "
        f"{len(unlinked)} staff or evaluator accounts have none"
        + (f": {', '.join(unlinked[:20])}" if unlinked else "")
        + (" …" if len(unlinked) > 20 else "")
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def unlink():
        from accounts.tables import User

        await User.raw("DROP INDEX IF EXISTS portal_user_staff_member")

    manager.add_raw(link_and_report)
    manager.add_raw_backwards(unlink)
    return manager
