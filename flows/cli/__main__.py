"""`python -m flows.cli` runs the same command as `migwatch`."""

import sys

from flows.cli import main

sys.exit(main())
