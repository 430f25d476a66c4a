"""DG R&O's certification policy: versions, and the what-if simulation of a draft."""

from __future__ import annotations

from litestar import Controller


class PolicyController(Controller):
    include_in_schema = False
