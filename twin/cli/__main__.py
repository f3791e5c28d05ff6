"""`python -m lingtan.twin.cli`: the twin command."""

import sys

from lingtan.twin.cli import main

sys.exit(main())
