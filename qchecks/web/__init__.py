"""Pages of Q-checks: recording, feedback, the checklist, the analytics and the ranking."""

from qchecks.web.analytics import ROUTE_HANDLERS as ANALYTICS_ROUTES
from qchecks.web.api import QCheckApiController
from qchecks.web.qchecks import QCheckController

ROUTE_HANDLERS = [QCheckController, QCheckApiController, *ANALYTICS_ROUTES]
