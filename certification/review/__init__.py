"""DG R&O's yearly eligibility review (SPEC 2.4, 5.3)."""
