"""`python -m pixel_tui` runs the CLI."""

import sys

from pixel_tui.cli import main

sys.exit(main())
