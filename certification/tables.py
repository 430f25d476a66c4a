"""Certification records. The organisation is the scope every user and record hangs off."""

from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table


class Organisation(Table):
    """A federal or regional organisation that recruits through DG R&O."""

    code = Varchar(length=20, unique=True, index=True, required=True)
    name_nl = Varchar(length=255, required=True)
    name_fr = Varchar(length=255, required=True)
    # Language roles joined with "|", e.g. "NL|FR" (SPEC 2.1, import column `language_roles`).
    language_roles = Varchar(length=20, default="NL|FR")
    created_at = Timestamptz()
