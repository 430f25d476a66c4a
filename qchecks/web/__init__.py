"""Pages of Q-checks: recording, feedback and the checklist (the analytics and the ranking,
which show certification's official figures, are `certification.web.qcheck_analytics`)."""

from qchecks.web.api import QCheckApiController
from qchecks.web.qchecks import QCheckController

ROUTE_HANDLERS = [QCheckController, QCheckApiController]
