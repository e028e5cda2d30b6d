"""`python -m coach` runs the command line."""

import os
import sys

try:
    from coach.app.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    print("coach: interrupted", file=sys.stderr, flush=True)
    os._exit(130)

raise SystemExit(main())
