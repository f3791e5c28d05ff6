"""Checks of the twin against outside references (NREL SAM, LP optimum, standards)."""
