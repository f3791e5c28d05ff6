"""``python -m validation [--quick] [--out DIR]``."""

import sys

from lingtan.validation.cli import main

sys.exit(main())
