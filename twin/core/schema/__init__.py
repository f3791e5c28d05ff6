"""The scenario's records: what a YAML file may say, validated, with units in the names.

Records only, no behaviour: the modules that act on a section import its record from here.
"""
