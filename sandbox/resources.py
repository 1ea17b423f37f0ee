"""Where the shader, level and asset folders are, for a source checkout and for an installed copy.

In a checkout (or an editable install) they sit at the top of the repository, beside the package.
A regular install copies them to <sys.prefix>/share/neural-origami (see pyproject's data-files).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_KINDS = ("shaders", "levels", "assets")


@cache
def resource_dir(kind: str) -> Path:
    """Return the folder holding `kind` ("shaders", "levels" or "assets")."""
    if kind not in _KINDS:
        raise ValueError(f"unknown resource folder {kind!r}; allowed: {', '.join(_KINDS)}")
    candidates = [
        Path(__file__).resolve().parent.parent / kind,
        Path(sys.prefix) / "share" / "neural-origami" / kind,
    ]
    for path in candidates:
        if path.is_dir():
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(f"cannot find the {kind}/ folder; looked in {tried}")
