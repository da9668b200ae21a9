"""Entry point of the bundled app (PyInstaller runs a script, not a console-script entry)."""

import sys

from ui.main import main

sys.exit(main())
