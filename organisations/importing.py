"""The `organisations` and `staff` kinds of the import (SPEC 5.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.database import bulk_load, bulk_upsert
from core.i18n import gettext as _
from core.importing import (
    ImportIssue,
    ImportKind,
    ImportResult,
    ImportScope,
    Row,
    RowErrors,
    chunks,
    date_cell,
    email_cell,
    is_bulk_load,
    no_duplicate,
    required,
    varchar_lengths,
)
from core.rows import columns_of, rows_as
from organisations.forms import StaffInput
from organisations.rules import (
    DEFAULT_STATUTE,
    LANGUAGE_ROLES,
    ORGANISATION_CODE,
    STATUTES,
    earlier_posting_end,
)
from organisations.service import request_moves
from organisations.tables import Organisation, ProPartnerTerm, StaffAssignment, StaffMember

_CANONICAL_ROLES = {role: role for role in LANGUAGE_ROLES}


def language_cell(value: str, column: str, errors: RowErrors) -> str:
    role = value.strip().upper()
    if role not in LANGUAGE_ROLES:
        errors.add(f"{column} {value!r} must be one of {', '.join(LANGUAGE_ROLES)}")
        return role
    return _CANONICAL_ROLES[role]  # one object for every row


@dataclass(frozen=True)
class KnownOrganisation:
    """An organisation as an import checks rows against it."""

    id: int
    code: str
    language_roles: str  # "NL|FR"
    pro_partner_email: str | None

    @property
    def roles(self) -> list[str]:
        return self.language_roles.split("|") if self.language_roles else []


async def organisation_map() -> dict[str, KnownOrganisation]:
    """code -> every organisation, in one query."""
    rows = await Organisation.select(*columns_of(Organisation, KnownOrganisation))
    return {row.code: row for row in rows_as(KnownOrganisation, rows)}


def scoped_organisation(
    code: str, organisations: dict[str, KnownOrganisation], scope: ImportScope, errors: RowErrors
) -> KnownOrganisation | None:
    """The organisation a row names, if the importer may import for it. A PRO Partner is
    told the same for any other code, whether it exists or not: the messages of an import
    reveal nothing about other organisations."""
    if scope.organisation_code is not None and code != scope.organisation_code:
        errors.add(f"organisation {code}: you can only import for {scope.organisation_code}")
        return None
    organisation = organisations.get(code)
    if organisation is None:
        errors.add(f"organisation {code} does not exist (import organisations first)")
    return organisation


async def staff_in_scope(scope: ImportScope, *columns: Any) -> list[dict[str, Any]]:
    """The staff rows an import may look up: a PRO Partner's import sees its own
    organisation's staff only, so another organisation's address reads as unknown."""
    query = StaffMember.select(*columns)
    if scope.organisation_code is not None:
        query = query.where(StaffMember.organisation.code == scope.organisation_code)
    return await query


# The optional column: the date from which DG R&O granted client certification, for the
# organisations certified before the portal existed (the initial load of the history).
CLIENT_SINCE = "client_certified_since"


def _language_roles(raw: str, errors: RowErrors) -> list[str]:
    """`NL|FR` -> ["NL", "FR"]; an empty, unknown or repeated role is an error of the row."""
    roles = [r.strip().upper() for r in raw.split("|") if r.strip()]
    if not roles:
        errors.add("language_roles is empty: give e.g. NL|FR")
    bad = [r for r in roles if r not in LANGUAGE_ROLES]
    if bad:
        errors.add(f"language_roles {'|'.join(bad)} unknown: use NL, FR and/or DE, joined by |")
    if len(set(roles)) != len(roles):
        errors.add("language_roles lists a role twice")
    return roles


async def _import_organisations(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    if scope.organisation_code is not None:
        result.issues.append(ImportIssue(0, "only DG R&O can import organisations"))
        return None
    existing = await organisation_map()
    seen: dict[str, int] = {}
    records = []
    with_since = False  # the optional column is in the file
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        code = required(v, "code", errors).upper()
        if code and not ORGANISATION_CODE.match(code):
            errors.add(f"code {code!r} must be 2 to 20 capital letters, digits, '-' or '_'")
        no_duplicate(code, row.line, seen, errors, f"organisation {code}")
        name_nl = required(v, "name_nl", errors)
        name_fr = required(v, "name_fr", errors)
        roles = _language_roles(v.get("language_roles", ""), errors)
        partner = email_cell(v, "pro_partner_email", errors, optional=True)
        since = None
        if CLIENT_SINCE in v:
            with_since = True
            since = date_cell(v, CLIENT_SINCE, errors, optional=True)
            if since is not None and since > dt.date.today():
                errors.add(f"{CLIENT_SINCE} {since} lies in the future")
        if errors.count == 0:
            records.append((code, name_nl, name_fr, "|".join(roles), partner or None, since))

    async def write() -> None:
        today = dt.date.today()
        result.created = sum(1 for r in records if r[0] not in existing)
        result.updated = len(records) - result.created
        now = dt.datetime.now(dt.UTC)
        columns: tuple[str, ...] = (
            "code",
            "name_nl",
            "name_fr",
            "language_roles",
            "pro_partner_email",
        )
        update = columns[1:]
        if with_since:  # the initial load of the granted level's history (SPEC 5.1)
            columns += (CLIENT_SINCE,)
            update += (CLIENT_SINCE,)
        await bulk_upsert(
            "organisation",
            (*columns, "created_at"),
            [(*record[: len(columns)], now) for record in records],
            conflict=("code",),
            update=update,
        )
        changed = [
            r for r in records if r[0] not in existing or existing[r[0]].pro_partner_email != r[4]
        ]
        if changed:
            ids = {
                row["code"]: row["id"]
                for row in await Organisation.select(Organisation.id, Organisation.code)
            }
            changed_ids = [ids[r[0]] for r in changed]
            await ProPartnerTerm.update({ProPartnerTerm.ended_on: today}).where(
                ProPartnerTerm.organisation.is_in(changed_ids) & ProPartnerTerm.ended_on.is_null()
            )
            terms = [
                ProPartnerTerm(organisation=ids[r[0]], email=r[4], started_on=today)
                for r in changed
                if r[4]
            ]
            for chunk in chunks(terms):
                await ProPartnerTerm.insert(*chunk)

    return write


def _moves_on_request(
    previous: dict[str, Any], organisation: KnownOrganisation, scope: ImportScope
) -> bool:
    """A PRO Partner's row whose address another organisation's record holds."""
    return scope.organisation_code is not None and previous["organisation"] != organisation.id


STATUTE = "statute"


def _statute(raw: str, previous: Mapping[str, Any] | None, errors: RowErrors) -> str:
    """The row's statute (SPEC 5.1, optional column): one of SPEC 3.1's; left out or
    empty, a new staff member is statutory and an existing one keeps theirs."""
    value = raw.strip().lower()
    if not value:
        return str(previous["statute"]) if previous is not None else DEFAULT_STATUTE
    if value not in STATUTES:
        errors.add(f"statute {raw.strip()} unknown: use {', '.join(STATUTES)}")
    return value


async def _import_staff(
    rows: Iterable[Row], scope: ImportScope, result: ImportResult
) -> Callable | None:
    organisations = await organisation_map()
    existing = {
        row["email"]: row
        for row in await StaffMember.select(
            StaffMember.id,
            StaffMember.email,
            StaffMember.organisation,
            StaffMember.start_date,
            StaffMember.end_date,
            StaffMember.statute,
        )
    }
    seen: dict[str, int] = {}
    records = []
    requests: list[tuple[int, StaffInput]] = []
    for row in rows:
        errors = RowErrors(row.line, result.issues)
        v = row.values
        code = required(v, "organisation_code", errors).upper()
        organisation = scoped_organisation(code, organisations, scope, errors) if code else None
        email = email_cell(v, "email", errors)
        no_duplicate(email, row.line, seen, errors, f"staff member {email}")
        first = required(v, "first_name", errors)
        last = required(v, "last_name", errors)
        role = language_cell(required(v, "language_role", errors), "language_role", errors)
        if organisation and role in LANGUAGE_ROLES and role not in organisation.roles:
            errors.add(
                f"language_role {role} is not a language role of {code} "
                f"({', '.join(organisation.roles)})"
            )
        start = date_cell(v, "start_date", errors)
        end = date_cell(v, "end_date", errors, optional=True)
        if start and end and end < start:
            errors.add("end_date comes before start_date")
        previous = existing.get(email)
        statute = _statute(v.get(STATUTE, ""), previous, errors)
        if errors.count or organisation is None:
            continue
        record = (organisation.id, email, first, last, role, start, end, statute)
        if previous is not None and _moves_on_request(previous, organisation, scope):
            # The address is another organisation's record (e-mail is the natural key of
            # staff): a PRO Partner's row becomes a move request for DG R&O, counted as
            # a new row - the result does not say the address exists (issue 18, row 10).
            assert start is not None  # no error on the row: the date was read
            requests.append((int(previous["id"]), StaffInput(email, first, last, role, start, end)))
        else:
            records.append(record)

    async def write() -> None:
        result.created = sum(1 for r in records if r[1] not in existing) + len(requests)
        result.updated = len(records) + len(requests) - result.created
        if requests:
            own = organisations[str(scope.organisation_code)].id
            await request_moves(scope.actor, own, requests)
        moves = [
            StaffAssignment(
                staff=existing[r[1]]["id"],
                organisation=existing[r[1]]["organisation"],
                start_date=existing[r[1]]["start_date"],
                end_date=earlier_posting_end(existing[r[1]]["end_date"], r[5], dt.date.today()),
            )
            for r in records
            if r[1] in existing and existing[r[1]]["organisation"] != r[0]
        ]
        bulk = await is_bulk_load(len(records), "staff_member")
        async with bulk_load("staff_member", when=bulk) as load:
            await bulk_upsert(
                "staff_member",
                (
                    "organisation",
                    "email",
                    "first_name",
                    "last_name",
                    "language_role",
                    "start_date",
                    "end_date",
                    "statute",
                ),
                records,
                conflict=("email",),
                update=(
                    "organisation",
                    "first_name",
                    "last_name",
                    "language_role",
                    "start_date",
                    "end_date",
                    "statute",
                ),
                insert_only=load.empty,
            )
        for chunk in chunks(moves):
            await StaffAssignment.insert(*chunk)

    return write


ORGANISATIONS = ImportKind(
    name="organisations",
    columns=("code", "name_nl", "name_fr", "language_roles", "pro_partner_email"),
    optional=(CLIENT_SINCE,),
    validate=_import_organisations,
    tables_written=("organisation", "pro_partner_term"),
    # Free text only: codes and language roles are checked against what they may be.
    limits=varchar_lengths(
        Organisation, name_nl="name_nl", name_fr="name_fr", pro_partner_email="pro_partner_email"
    ),
    label=lambda: _("Organisations"),
    note=lambda: _(
        "organisations: language_roles joined with |, e.g. NL|FR; pro_partner_email may be "
        "empty; client_certified_since (optional column, may be empty) loads the client "
        "certification granted before the portal existed."
    ),
)
STAFF = ImportKind(
    name="staff",
    columns=(
        "organisation_code",
        "email",
        "first_name",
        "last_name",
        "language_role",
        "start_date",
        "end_date",
    ),
    optional=(STATUTE,),
    validate=_import_staff,
    tables_written=("staff_member", "staff_assignment"),
    limits=varchar_lengths(
        StaffMember, email="email", first_name="first_name", last_name="last_name"
    ),
    label=lambda: _("Staff"),
    note=lambda: _(
        "staff: end_date may be empty; language_role is NL, FR or DE and must be a "
        "language role of the organisation; statute (optional column) is statutory, "
        "trainee, contractual or mandate: left out, a new staff member is statutory and "
        "an existing one keeps theirs."
    ),
    organisation_scoped=True,
)
