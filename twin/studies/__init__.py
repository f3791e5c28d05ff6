"""Questions asked of many runs: parks of tenants, multi-year plans, sweeps, sizing.

Imports core, accounting and network (docs/architecture.md).
"""
