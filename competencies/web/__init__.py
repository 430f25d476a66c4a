"""Pages and API of the competency models."""

from competencies.web.functions import FederalFunctionController, FunctionController
from competencies.web.models import CompetencyApiController, CompetencyController

ROUTE_HANDLERS = [
    CompetencyController,
    CompetencyApiController,
    FunctionController,
    FederalFunctionController,
]
