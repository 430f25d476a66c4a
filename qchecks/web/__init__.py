"""Pages of Q-checks: recording, feedback, the checklist, and the analytics."""

from qchecks.web.api import QCheckApiController
from qchecks.web.qchecks import QCheckController

ROUTE_HANDLERS = [QCheckController, QCheckApiController]
