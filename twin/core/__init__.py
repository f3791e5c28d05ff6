"""The engine's core: schema records, loading, the dispatch kernel, hourly tables, KPIs, field paths and
results folders.

Imports nothing of the other rooms of :mod:`lingtan.twin` (docs/architecture.md).
"""
