"""`python -m sandbox` does what `neural-origami` and `python main.py` do."""

import sys

from sandbox.cli import main

sys.exit(main())
