"""What a person reads: summaries, HTML and Excel reports, plots, translations, results folders.

Imports every engine room below it, never the CLI (docs/architecture.md).
"""
