"""lingtan: an hour-by-hour digital twin of zero-carbon factories and parks in China.

The installed namespace. Its folders sit at the repository root and are mapped here by
setuptools' package-dir (pyproject.toml): lingtan.twin, lingtan.components, lingtan.weather, ...
This folder holds the base that every room, the leaves included, may import: errors, limits,
the YAML loader and the path policy.
"""
