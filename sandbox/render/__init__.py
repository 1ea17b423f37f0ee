"""The OpenGL rendering layer: passes that draw numpy arrays (meshes, segments, points, the UI).

It never sees the trainer or the app state, only arrays. `camera` (View2D) and `palette` (colours
and the CPU twins of every shader mapping) are pure numpy; the rest needs a GL context, made by
`context.create_window`. Names are imported lazily so that `from sandbox.render import View2D`
does not load PyOpenGL.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "View2D": "camera",
    "GLContextError": "context",
    "create_window": "context",
    "gl_info": "context",
    "ShaderError": "shaders",
    "load_program": "shaders",
    "GLMesh": "mesh",
    "FieldMode": "field",
    "FieldStyle": "field",
    "FieldPass": "field",
    "LineBatch": "lines",
    "LinePass": "lines",
    "PointBatch": "points",
    "PointPass": "points",
    "OverlayPass": "overlay",
    "MLPFieldPass": "mlp_field",
    "split_panes": "split",
    "union_bounds": "split",
    "RenderTarget": "target",
    "read_pixels": "target",
    "save_png": "target",
    "Renderer": "renderer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sandbox.render' has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
