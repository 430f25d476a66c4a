"""Applications for client certification (SPEC 2.4): PRO Partner applies, DG R&O decides."""
