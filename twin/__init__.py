"""Lingtan: the digital twin engine (scenario, dispatch, accounting, KPIs, CLI)."""
