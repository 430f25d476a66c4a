"""Pages of evaluation cycles: the dossier (staff and evaluators), the team, HR's side."""

from cycles.web.check import CheckController
from cycles.web.dossier import DossierController
from cycles.web.edossier import EDOSSIER_ROUTE_HANDLERS
from cycles.web.functions import FunctionController
from cycles.web.hr import HR_ROUTE_HANDLERS
from cycles.web.team import TeamController

ROUTE_HANDLERS = [
    DossierController,
    TeamController,
    FunctionController,
    *HR_ROUTE_HANDLERS,
    CheckController,
    *EDOSSIER_ROUTE_HANDLERS,
]
