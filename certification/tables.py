"""Certification records (SPEC 2.1): tracks, certificates, policy versions, reminders."""

from piccolo.columns import (
    JSON,
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

from competencies.tables import Competency
from organisations.tables import Organisation, StaffMember


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
    # Revoked by a rejection, before it was ever valid: the status stays SPEC 2.1's
    # `revoked` (the exports and the API say that); the pages say "rejected".
    rejected = Boolean(default=False)


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


class LevelChange(Table, tablename="level_change"):
    """One change of an organisation's granted level: from, to, the day it takes effect,
    why (an application approved, a yearly review's decision) and who decided. Before
    the first change, the organisations import's `client_certified_since` is the initial
    load. Granted on a day: the last change in effect then (`rules.client_granted_on`)."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    from_level = Varchar(length=20, default="")
    to_level = Varchar(length=20, required=True)
    effective_on = Date(required=True)
    reason = Varchar(length=30, required=True)
    note = Text(default="")
    decided_by = Varchar(length=254, default="")
    recorded_at = Timestamptz()


class Review(Table, tablename="review"):
    """DG R&O's yearly eligibility review of year Y (SPEC 2.4, 5.3), frozen when opened."""

    id: Serial

    year = Integer(unique=True, required=True)
    state = Varchar(length=10, default="open")
    as_of = Date(required=True)
    policy_effective_from = Date(required=True)
    opened_at = Timestamptz()
    opened_by = Varchar(length=254, default="")
    closed_at = Timestamptz(null=True, default=None)
    closed_by = Varchar(length=254, null=True, default=None)


class ReviewEntry(Table, tablename="review_entry"):
    """One organisation in a review: what was frozen at opening, and the decision."""

    id: Serial

    review = ForeignKey(references=Review, required=True, index=True)
    organisation = ForeignKey(references=Organisation, required=True)
    granted_level = Varchar(length=20, required=True)
    eligible_level = Varchar(length=20, required=True)
    flag = Varchar(length=10, null=True, default=None)
    conditions = JSON(default="[]")
    decision = Varchar(length=10, null=True, default=None)
    reason = Text(null=True, default=None)
    decided_by = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    revision = Integer(default=1)


class Application(Table, tablename="client_application"):
    """A PRO Partner's application for client certification (SPEC 2.4): the eligibility
    frozen at submission, and DG R&O's decision. One open (`submitted`) per organisation."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    state = Varchar(length=12, default="submitted")
    frozen = JSON(default="{}")  # the SPEC 5.2 object of the organisation at submission
    submitted_by = Varchar(length=254, default="")
    submitted_at = Timestamptz()
    decided_by = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    reason = Text(null=True, default=None)
    override = Boolean(default=False)  # approved although the frozen level was not client
    revision = Integer(default=1)


class TrackSession(Table, tablename="track_session"):
    """A session of a PRO Academy track that DG R&O publishes (dates, language, places)."""

    id: Serial

    track = ForeignKey(references=Track, required=True, index=True)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    language = Varchar(length=2, required=True)
    capacity = Integer(required=True)
    published_by = Varchar(length=254, default="")
    created_at = Timestamptz()


class PlaceRequest(Table, tablename="session_request"):
    """A PRO Partner's request of a place in a session for one of its staff. Unique per
    (session, staff). Places are allocated when asked (`rules.allocate_places`)."""

    id: Serial

    session = ForeignKey(references=TrackSession, required=True, index=True)
    staff = ForeignKey(references=StaffMember, required=True)
    organisation = ForeignKey(references=Organisation, required=True, index=True)
    requested_at = Timestamptz()
    requested_by = Varchar(length=254, default="")


class Mentorship(Table, tablename="mentorship"):
    """Under client certification, a certified staff member mentors a new colleague not
    yet in the track; the mentee gets priority in the track's sessions (seed 002)."""

    id: Serial

    organisation = ForeignKey(references=Organisation, required=True, index=True)
    mentor = ForeignKey(references=StaffMember, required=True)
    mentee = ForeignKey(references=StaffMember, required=True, index=True)
    track = ForeignKey(references=Track, required=True)
    started_on = Date(required=True)
    ended_on = Date(null=True, default=None)
    registered_by = Varchar(length=254, default="")


class TrackCompetency(Table, tablename="track_competency"):
    """A competency of the competency model that a track develops (DG R&O keeps the list
    on the track's page). Unique per (track, competency)."""

    id: Serial

    track = ForeignKey(references=Track, required=True, index=True)
    competency = ForeignKey(references=Competency, required=True, index=True)
