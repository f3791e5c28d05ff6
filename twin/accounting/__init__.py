"""From a run's flows to the numbers standards define (energy, emissions, costs) and to verdicts.

Imports :mod:`lingtan.twin.core` and the leaves only (docs/architecture.md).
"""
