"""Evaluation cycles (SPEC 3, 5.4): a staff member's functions (their history, from the
`functions` import) and the cycles generated from them by `cycles.rules`."""

from piccolo.columns import Date, ForeignKey, Serial, Varchar
from piccolo.table import Table

from organisations.tables import StaffMember


class StaffFunction(Table, tablename="staff_function"):
    """The staff member holds `title` from `started_on` (a change of function after the
    first). Natural key: staff + started_on."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    started_on = Date(required=True)
    title = Varchar(length=200, required=True)


class EvaluationCycle(Table, tablename="evaluation_cycle"):
    """One evaluation cycle of a staff member. Natural key: staff + starts_on."""

    id: Serial

    staff = ForeignKey(references=StaffMember, required=True, index=True)
    starts_on = Date(required=True)
    ends_on = Date(required=True)
    function = Varchar(length=200, default="")
