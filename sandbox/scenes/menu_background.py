"""The start menu's background picture: a small fixed network folding the window into pastel
regions, with its creases, drawn by the sandbox plane's own passes.

Imported by the menu when it first draws (its imports load numba, which the menu's first frame
does not wait for). On a first start the region kernels are still compiling: the picture's
partition then comes from their plain-Python twins (sandbox/geometry/twin_regions.py).
"""

from __future__ import annotations

import math

import numpy as np

from sandbox.geometry.twin_regions import twin_regions
from sandbox.nn import MLP
from sandbox.render.camera import View2D
from sandbox.render.plane_view import PlaneRenderer
from sandbox.state import AppState, Layout
from sandbox.vocab import View

BACKGROUND_SIZES = [2, 5, 5, 3]
BACKGROUND_SEED = 7


class MenuBackground:
    """The picture's private state (never the app's) per window size, and its renderer."""

    def __init__(self, renderer) -> None:
        self.plane = PlaneRenderer(renderer)
        self.state: AppState | None = None

    def draw(self, window: tuple[int, int], kernels: bool) -> None:
        """Draw for a window of this size; without `kernels` a new picture uses the twins."""
        if self.state is None or self.state.layout.window != window:
            self.state = background_state(window, kernels)
        self.plane.draw(self.state)

    def release(self) -> None:
        self.plane.release()


def background_state(window: tuple[int, int], kernels: bool = True) -> AppState:
    """A private state for the picture; without `kernels` its partition comes from the region
    kernels' plain-Python twins."""
    w, h = window
    bg = AppState()
    bg.layout = Layout(window=(w, h), plane=(0, 0, w, h))
    bg.camera = View2D((0.0, 0.0), 0.55, max(1, w), max(1, h))
    net = MLP(BACKGROUND_SIZES, seed=BACKGROUND_SEED)
    # spread the first-layer creases over the window so the folds fill it
    W, b = net.layers[0]
    angles = np.linspace(0.0, math.pi, W.shape[0], endpoint=False) + 0.3
    W[:, 0], W[:, 1] = np.cos(angles), np.sin(angles)
    b[:] = np.linspace(-4.0, 4.0, W.shape[0])
    bg.session.show_network(net)
    bg.views = {View.REGIONS, View.CREASES}
    x0, y0, x1, y1 = bg.camera.world_bounds()
    bounds = (x0, x1, y0, y1)
    twin = None if kernels else twin_regions(net, bounds)
    bg.partition = twin if twin is not None else bg.session.partition(bounds)
    return bg
