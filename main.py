"""Start Neural Origami from a source checkout: `python main.py --help` lists the options."""

import sys

from sandbox.cli import main

if __name__ == "__main__":
    sys.exit(main())
