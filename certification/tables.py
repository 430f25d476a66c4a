"""Certification records (SPEC 2.1): tracks, certificates, policy versions, reminders."""

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

from organisations.tables import StaffMember


class Track(Table):
    """A PRO Academy certification track, kept by DG R&O."""

    id: Serial

    code = Varchar(length=20, unique=True, required=True)
    name_nl = Varchar(length=200, required=True)
    name_fr = Varchar(length=200, required=True)
    name_en = Varchar(length=200, required=True)
    active = Boolean(default=True)


class Certificate(Table):
    """A staff member passed a track on a date (natural key: staff + track + obtained_on)."""

    id: Serial

    # Indexed by the natural key (staff, track, obtained_on), of which it is the prefix.
    staff = ForeignKey(references=StaffMember, required=True)
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
    # Indexed by the unique (certificate, days_before), of which it is the prefix.
    certificate = ForeignKey(references=Certificate, required=True)
    days_before = Integer(required=True)
    sent_to = Varchar(length=254, required=True)
    sent_at = Timestamptz()
