"""Certificates: registration by the PRO Partner, DG R&O's verification queue and decisions."""

from __future__ import annotations

from litestar import Controller


class CertificateController(Controller):
    include_in_schema = False
