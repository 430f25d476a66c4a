"""People who log in: their roles, their organisation (the scope of what they see) and language."""

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from organisations.tables import Organisation


class User(Table, tablename="portal_user"):
    """A person who logs in. Roles are joined with ","; the organisation is the scope."""

    id: Serial

    email = Varchar(length=254, unique=True, required=True)
    full_name = Varchar(length=200, required=True)
    password_hash = Varchar(length=255, required=True)
    roles = Varchar(length=100, default="staff")
    organisation = ForeignKey(references=Organisation, null=True)
    preferred_language = Varchar(length=2, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
