"""Track sessions, place requests and mentoring (seed 002, SPEC 2.4)."""
