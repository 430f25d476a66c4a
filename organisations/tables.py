"""Organisations, their staff and the history of both (SPEC 2.1): every area stands on them."""

from piccolo.columns import Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from core.parsing import EMAIL_LENGTH
from organisations.rules import ORGANISATION_NAME_LENGTH, STAFF_NAME_LENGTH


class Organisation(Table):
    """A federal or regional organisation that recruits through DG R&O."""

    id: Serial

    code = Varchar(length=20, unique=True, required=True)
    name_nl = Varchar(length=ORGANISATION_NAME_LENGTH, required=True)
    name_fr = Varchar(length=ORGANISATION_NAME_LENGTH, required=True)
    # Language roles joined with "|", e.g. "NL|FR" (SPEC 2.1, import column `language_roles`).
    language_roles = Varchar(length=20, default="NL|FR")
    # The PRO Partner is named by e-mail; no certificate is needed for that role.
    pro_partner_email = Varchar(length=EMAIL_LENGTH, null=True, default=None)
    # Client certification is granted only by an approved application (SPEC 2.4).
    client_certified_since = Date(null=True, default=None)
    created_at = Timestamptz()


class ProPartnerTerm(Table, tablename="pro_partner_term"):
    """Who held the PRO Partner role of an organisation, and when."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    email = Varchar(length=EMAIL_LENGTH, required=True)
    started_on = Date(required=True)
    ended_on = Date(null=True, default=None)


class StaffMember(Table, tablename="staff_member"):
    """One record per person (natural key: e-mail); the organisation is the current one."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    email = Varchar(length=EMAIL_LENGTH, unique=True, required=True)
    first_name = Varchar(length=STAFF_NAME_LENGTH, required=True)
    last_name = Varchar(length=STAFF_NAME_LENGTH, required=True)
    language_role = Varchar(length=2, required=True)
    start_date = Date(required=True)
    end_date = Date(null=True, default=None)
    # SPEC 3.1: statutory, trainee (on stage), contractual or mandate (no cycles).
    statute = Varchar(length=12, default="statutory")


class StaffAssignment(Table, tablename="staff_assignment"):
    """The organisations a staff member belonged to before the current one."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    organisation = ForeignKey(references=Organisation, required=True)
    start_date = Date(required=True)
    end_date = Date(null=True, default=None)


class StaffMoveRequest(Table, tablename="staff_move_request"):
    """A PRO Partner's registration of a person whose e-mail another organisation's record
    holds: kept with what the partner typed until DG R&O confirms the move (the record
    then moves, as a staff import moves it) or declines it. The partner is answered as for
    a new address; which organisation holds it is never said (issue 18, row 10)."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    organisation = ForeignKey(references=Organisation, required=True, index=True)
    first_name = Varchar(length=STAFF_NAME_LENGTH, required=True)
    last_name = Varchar(length=STAFF_NAME_LENGTH, required=True)
    language_role = Varchar(length=2, required=True)
    start_date = Date(required=True)
    end_date = Date(null=True, default=None)
    requested_by = Varchar(length=EMAIL_LENGTH, required=True)
    requested_at = Timestamptz()
    # pending -> confirmed | declined | withdrawn
    state = Varchar(length=10, default="pending", index=True)
    decided_by = Varchar(length=EMAIL_LENGTH, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
