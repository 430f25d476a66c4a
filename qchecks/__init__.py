"""Q-checks: DG R&O's quality checks of closed selection files."""
