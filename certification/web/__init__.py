"""Pages and API of certification: dashboard, overview, register, queue, policy, tracks,
and the Q-check analytics and ranking."""

from certification.web.api import ApiV1Controller
from certification.web.applications import ApplicationController
from certification.web.certificates import CertificateController
from certification.web.dashboard import OrganisationController
from certification.web.exports import ExportController
from certification.web.policy import PolicyController
from certification.web.qcheck_analytics import ROUTE_HANDLERS as QCHECK_ANALYTICS_ROUTES
from certification.web.review import ReviewController
from certification.web.tracks import TrackController
from certification.web.training import TrainingController

ROUTE_HANDLERS = [
    OrganisationController,
    CertificateController,
    PolicyController,
    ExportController,
    TrackController,
    ApiV1Controller,
    ReviewController,
    ApplicationController,
    TrainingController,
    *QCHECK_ANALYTICS_ROUTES,
]
