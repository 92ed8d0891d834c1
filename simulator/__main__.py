"""``python -m simulator`` runs the infrasim command line."""

import sys

from .cli import main

sys.exit(main())
