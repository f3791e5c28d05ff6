"""The engine's core: schema records, loading, paths, the dispatch kernel, a run, its tables and KPIs.

Imports nothing of the other rooms of :mod:`lingtan.twin` (docs/architecture.md).
"""
