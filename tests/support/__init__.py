"""Helpers shared by the test folders (importable as ``support.*``: pytest's ``pythonpath``)."""
