"""Selection files and DG R&O's quality checks of them (SPEC 2.1)."""

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Varchar
from piccolo.table import Table

from organisations.tables import Organisation, StaffMember


class SelectionFile(Table, tablename="selection_file"):
    """A closed recruitment procedure (natural key: its reference)."""

    id: Serial

    reference = Varchar(length=60, unique=True, required=True)
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


class QCheckCriterion(Table, tablename="qcheck_criterion"):
    """An optional per-criterion score with a comment."""

    id: Serial

    qcheck = ForeignKey(references=QCheck, required=True, index=True)
    criterion = Varchar(length=200, required=True)
    score_hundredths = Integer(null=True, default=None)
    comment = Text(default="")
