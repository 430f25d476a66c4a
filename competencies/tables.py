"""The competency models (SPEC 4) as data: models with a version and a validity date,
their groups, competencies (each with the older model's competencies it continues) and
behavioural indicators. Loaded from the YAML files of `competencies/data` (see
`competencies.loader`); every name and text in NL, FR and EN."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Varchar
from piccolo.table import Table

from organisations.tables import Organisation


class CompetencyModel(Table, tablename="competency_model"):
    id: Serial

    code = Varchar(length=40, unique=True, required=True)
    version = Integer(default=1)
    valid_from = Date(required=True)
    name_nl = Varchar(length=200, required=True)
    name_fr = Varchar(length=200, required=True)
    name_en = Varchar(length=200, required=True)
    maps_from = Varchar(length=40, null=True, default=None)  # the model its mapping points to


class CompetencyGroup(Table, tablename="competency_group"):
    id: Serial

    of_model = ForeignKey(references=CompetencyModel, required=True, index=True)
    code = Varchar(length=40, required=True)
    kind = Varchar(length=20, default="generic")  # generic | technical
    position = Integer(default=0)
    name_nl = Varchar(length=200, required=True)
    name_fr = Varchar(length=200, required=True)
    name_en = Varchar(length=200, required=True)


class Competency(Table, tablename="competency"):
    id: Serial

    of_model = ForeignKey(references=CompetencyModel, required=True, index=True)
    in_group = ForeignKey(references=CompetencyGroup, required=True, index=True)
    code = Varchar(length=40, required=True)
    core = Boolean(default=False)
    heading = Varchar(length=20, default="")  # technical expertise: profession | support
    position = Integer(default=0)
    name_nl = Varchar(length=200, required=True)
    name_fr = Varchar(length=200, required=True)
    name_en = Varchar(length=200, required=True)
    definition_nl = Text(default="")
    definition_fr = Text(default="")
    definition_en = Text(default="")
    # The competencies of the older model (the model's `maps_from`) this one continues,
    # their codes joined by "|": the mapping between the two models, as data.
    maps_from = Varchar(length=400, default="")


class Indicator(Table, tablename="competency_indicator"):
    id: Serial

    competency = ForeignKey(references=Competency, required=True, index=True)
    position = Integer(default=0)
    text_nl = Text(required=True)
    text_fr = Text(required=True)
    text_en = Text(required=True)


class FunctionProfile(Table, tablename="function_profile"):
    """A function (title) with the competencies it requires: an organisation's (its HR
    keeps them) or federal-wide (no organisation; DG R&O keeps them)."""

    id: Serial

    organisation = ForeignKey(references=Organisation, null=True, default=None, index=True)
    title = Varchar(length=200, required=True)
    created_by = Varchar(length=254, default="")


class FunctionRequirement(Table, tablename="function_requirement"):
    """A competency a function requires, at an expected level (1 basic – 4 expert)."""

    id: Serial

    profile = ForeignKey(references=FunctionProfile, required=True, index=True)
    competency = ForeignKey(references=Competency, required=True, index=True)
    level = Integer(default=2)
