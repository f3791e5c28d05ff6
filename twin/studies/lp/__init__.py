"""Optimal dispatch and optimal design of a site as one linear programme (HiGHS through highspy).

``problem`` (the :class:`~lingtan.twin.studies.lp.problem.DesignProblem` record: a site's year as arrays, costs
with their sources, criteria rows), ``model`` (variables, constraints and objective, each constraint's arithmetic
in a comment), ``solve`` (solving, reading the solution back as the dispatch kernel's result, the design).
Part of the studies room: imports core, accounting and the rest of studies, never reports or the CLI.
"""
