"""``python -m validation [--quick] [--out DIR]``."""
import sys

from validation.cli import main

sys.exit(main())
