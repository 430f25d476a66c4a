"""PRO Academy certification: organisations, staff, certificates and the level engine."""
