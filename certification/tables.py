"""Certification records (SPEC 2.1): organisations, staff, tracks, certificates, policy."""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Organisation(Table):
    """A federal or regional organisation that recruits through DG R&O."""

    id: Serial

    code = Varchar(length=20, unique=True, index=True, required=True)
    name_nl = Varchar(length=255, required=True)
    name_fr = Varchar(length=255, required=True)
    # Language roles joined with "|", e.g. "NL|FR" (SPEC 2.1, import column `language_roles`).
    language_roles = Varchar(length=20, default="NL|FR")
    # The PRO Partner is named by e-mail; no certificate is needed for that role.
    pro_partner_email = Varchar(length=254, null=True, default=None)
    # Client certification is granted only by an approved application (SPEC 2.4).
    client_certified_since = Date(null=True, default=None)
    created_at = Timestamptz()


class ProPartnerTerm(Table, tablename="pro_partner_term"):
    """Who held the PRO Partner role of an organisation, and when."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    email = Varchar(length=254, required=True)
    started_on = Date(required=True)
    ended_on = Date(null=True, default=None)


class StaffMember(Table, tablename="staff_member"):
    """One record per person (natural key: e-mail); the organisation is the current one."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    email = Varchar(length=254, unique=True, index=True, required=True)
    first_name = Varchar(length=100, required=True)
    last_name = Varchar(length=100, required=True)
    language_role = Varchar(length=2, required=True)
    start_date = Date(required=True)
    end_date = Date(null=True, default=None)


class StaffAssignment(Table, tablename="staff_assignment"):
    """The organisations a staff member belonged to before the current one."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    organisation = ForeignKey(references=Organisation, required=True)
    start_date = Date(required=True)
    end_date = Date(null=True, default=None)


class Track(Table):
    """A PRO Academy certification track, kept by DG R&O."""

    id: Serial

    code = Varchar(length=20, unique=True, index=True, required=True)
    name_nl = Varchar(length=200, required=True)
    name_fr = Varchar(length=200, required=True)
    name_en = Varchar(length=200, required=True)
    active = Boolean(default=True)


class Certificate(Table):
    """A staff member passed a track on a date (natural key: staff + track + obtained_on)."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    track = ForeignKey(references=Track, required=True, index=True)
    obtained_on = Date(required=True)
    status = Varchar(length=12, default="pending", index=True)
    valid_until = Date(null=True, default=None)
    status_reason = Text(default="")
    registered_by = Varchar(length=254, null=True, default=None)
    decided_by = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


class CertificationPolicy(Table, tablename="certification_policy"):
    """Thresholds of the certification levels in force from `effective_from` (SPEC 2.3)."""

    id: Serial

    effective_from = Date(unique=True, required=True)
    min_certified_staff = Integer(default=4)
    min_az_per_language = Integer(default=1)
    min_seltest_per_language = Integer(default=1)
    min_az_for_individual = Integer(default=1)
    # Hundredths of a percent, like Q-check scores: 8000 = 80.00 %.
    min_qcheck_average_hundredths = Integer(default=8000)
    adopted_by = Varchar(length=254, null=True, default=None)
    adopted_at = Timestamptz()
    note = Text(default="")


class CertificateReminder(Table, tablename="certificate_reminder"):
    """A reminder that a certificate runs out, sent once per threshold (90, 30, 7 days)."""

    id: Serial
    certificate = ForeignKey(references=Certificate, required=True, index=True)
    days_before = Integer(required=True)
    sent_to = Varchar(length=254, required=True)
    sent_at = Timestamptz()
