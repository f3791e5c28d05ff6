"""Physical component models: pure vectorised functions plus parameter classes."""
