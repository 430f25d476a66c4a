"""Selection files and DG R&O's quality checks of them (SPEC 2.1)."""

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from organisations.tables import Organisation, StaffMember
from qchecks.rules import MAX_REFERENCE


class SelectionFile(Table, tablename="selection_file"):
    """A closed recruitment procedure (natural key: its reference)."""

    id: Serial

    reference = Varchar(length=MAX_REFERENCE, unique=True, required=True)
    organisation = ForeignKey(references=Organisation, required=True, index=True)
    language_role = Varchar(length=2, required=True)
    closed_on = Date(required=True)


class QCheck(Table, tablename="qcheck"):
    """The quality check of one selection file.

    The score is kept in hundredths of a percent (83.25 % -> 8325) so that averages and
    the 80 % threshold compare exactly, on SQLite and PostgreSQL alike. The organisation
    is copied from the selection file so the eligibility aggregate needs no extra join.
    """

    id: Serial

    selection_file = ForeignKey(references=SelectionFile, required=True, unique=True)
    organisation = ForeignKey(references=Organisation, required=True, index=True)
    # Indexed with the dates: (consultant, checked_on) and (checked_on, organisation).
    consultant = ForeignKey(references=StaffMember, required=True)
    checked_on = Date(required=True)
    score_hundredths = Integer(required=True)
    # Who checked (a DG R&O user's e-mail, or the command that imported it), a general
    # comment, and when the check was last written.
    checked_by = Varchar(length=254, default="")
    comment = Text(default="")
    updated_at = Timestamptz()
    # Raised by every edit: an edit from a page that showed an older revision is refused.
    revision = Integer(default=1)


class Criterion(Table, tablename="qcheck_criterion_def"):
    """One criterion of DG R&O's Q-check checklist, kept as versioned data: a new version
    of a criterion is a new row with a later `active_from`; the one it replaces ends the
    day before (`active_until`). A Q-check is scored on the criteria in force on the day
    it is checked. Unique per (code, active_from)."""

    id: Serial

    code = Varchar(length=40, required=True)
    name_nl = Varchar(length=200, required=True)
    name_fr = Varchar(length=200, required=True)
    weight = Integer(required=True)  # relative weight, 1–100
    active_from = Date(required=True)
    active_until = Date(null=True, default=None)  # last day in force; null: still in force


class QCheckCriterion(Table, tablename="qcheck_criterion"):
    """A Q-check's score on one criterion of the checklist, with a comment. `criterion`
    keeps the criterion's code as it was scored; `definition` the version scored on."""

    id: Serial

    qcheck = ForeignKey(references=QCheck, required=True, index=True)
    criterion = Varchar(length=200, required=True)
    definition = ForeignKey(references=Criterion, null=True, default=None, index=True)
    score_hundredths = Integer(null=True, default=None)
    comment = Text(default="")


class ClosedYear(Table, tablename="qcheck_closed_year"):
    """A year whose Q-checks can no longer be edited: the yearly review of that year is
    closed (`qchecks.service.close_year`, called by the review when it closes)."""

    id: Serial

    year = Integer(unique=True, required=True)
    closed_at = Timestamptz()
    closed_by = Varchar(length=254, default="")
