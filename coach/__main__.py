"""`python -m coach` runs the command line."""

import os

try:
    from coach.app.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line is still being imported
    os._exit(130)

raise SystemExit(main())
