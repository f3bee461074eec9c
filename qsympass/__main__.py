"""``python -m qsympass`` runs the command line."""

import sys

from qsympass.cli import main

sys.exit(main())
