"""Allow ``python -m docagent``."""

import sys

from docagent.cli import main

sys.exit(main())
