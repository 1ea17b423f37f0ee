"""Command line entry point shared by `neural-origami`, `python main.py` and `python -m sandbox`.

Parses arguments and hands over to the application; no heavy imports happen before parsing, so
`--help` is instant and headless environment variables can be set before pygame loads.
"""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neural-origami",
        description="See what a ReLU network does to the plane, exactly and live.",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    from sandbox.nn import MLP

    net = MLP([2, 16, 16, 16, 2], seed=0)
    print(f"Neural Origami: core ready ({net}, {net.n_params} parameters). The window is coming.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
