"""The scenario library: runnable factory and park YAML files."""
