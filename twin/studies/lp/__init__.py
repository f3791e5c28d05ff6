"""Optimal dispatch and optimal design of a site as one linear programme (HiGHS through highspy).

``problem`` (the :class:`~lingtan.twin.studies.lp.problem.DesignProblem` record: a site's year as arrays, costs
with their sources, criteria rows), ``model`` (variables, constraints and objective, each constraint's arithmetic
in a comment), ``heat_dispatch`` (the heat side's columns and rows), ``intensity`` (emissions per tce as an affine
row), ``solve`` (solving, reading the solution back as the dispatch kernel's result), ``rolling`` (the rolling
horizon) and ``design`` (``twin size --method lp``).
Part of the studies room: imports core, accounting and the rest of studies, never reports or the CLI.
"""
