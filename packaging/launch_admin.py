"""Entry point of the bundled counterpart-admin."""

import sys

from app.cli import main

sys.exit(main())
