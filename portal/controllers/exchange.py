"""Imports from a web page and exports (CSV, XLSX) of staff, certificates and eligibility."""

from __future__ import annotations

from litestar import Controller


class ExchangeController(Controller):
    include_in_schema = False
