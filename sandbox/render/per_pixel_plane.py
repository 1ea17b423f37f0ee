"""The plane's per-pixel network picture: whether to draw it, in how many bands, from which weights.

A network with no exact partition to draw (a smooth activation, or more regions than the mesh
budget) is drawn per pixel by the network shader (sandbox.render.mlp_field), whose cost per
pixel `MLPFieldPass.pixel_ns` measures. `PerPixelPicture.prepare` sets the network for a frame
and decides from that cost: the whole picture at once, in bands of at most `BAND_MS` (the plane
paints them a frame each through sandbox.render.held_layer), or not per pixel at all (the
plane samples the output on a grid instead, sandbox.render.field_grid) where it would take more
than `MAX_BANDS` bands, or two in the split view (whose bands are its two panes). New weights of
a picture painted in bands are taken when its bands are done, at most every `hold_s` (a new
picture a few times a second while training, never half made). Measured on llvmpipe, two
cores, the sandbox at 1280x800: tanh 2-16-16-16-2 in two or three bands, 4 x 64 sampled (96
bands' worth).
"""

from __future__ import annotations

import math

from sandbox.nn.activations import ACTIVATION_IDS
from sandbox.state import AppState
from sandbox.vocab import PER_PIXEL_MAX_WIDTH

from .renderer import Renderer

BAND_MS = 30.0
MAX_BANDS = 8
MAX_LAYERS, MAX_WIDTH = 8, PER_PIXEL_MAX_WIDTH  # what the shader takes


class PerPixelPicture:
    """Feeds the network shader for the plane (one per PlaneRenderer)."""

    def __init__(self, renderer: Renderer, hold_s: float) -> None:
        self.r = renderer  # (its network shader is made when first used)
        self.hold_s = hold_s
        self.bands = 1  # the bands the picture takes (prepare)
        self._key: tuple | None = None  # (weights version, network) set
        self._set_at = -1e9  # state.time when the network was last set

    def prepare(self, state: AppState, painting: bool, one_view: bool = True) -> bool:
        """Set the network for this frame; False where it should not be drawn per pixel (the
        sampled grid should): too wide for the shader, still being prepared, or too costly
        here (module docstring). `painting`: the plane's picture is being painted in bands."""
        net = state.net
        hidden = net.hidden_sizes
        if len(hidden) > MAX_LAYERS or max(hidden) > MAX_WIDTH:
            return False
        if state.geometry.preparing or state.geometry.making:
            # a first start, the region kernels still compiling, or a big network's first
            # regions being made: the per-pixel network would keep both cores busy on a
            # software rasteriser (8 x 64: seconds a frame); the sampled grid costs little
            return False
        mlp = self.r.mlp_field
        key = (state.session.weights_version, id(net))
        same_net = self._key is not None and self._key[1] == id(net)
        held = same_net and self.bands > 1 and (painting or state.time - self._set_at < self.hold_s)
        if key != self._key and not held:
            self._key = key
            self._set_at = state.time
            mlp.set_network(
                net.weights(),
                ACTIVATION_IDS[net.activation],
                net.negative_slope,
                net.residual_layers,
            )
        _, _, pw, ph = state.layout.plane
        ms = mlp.pixel_ns() * pw * ph / 1e6
        self.bands = max(1, math.ceil(ms / BAND_MS))
        return self.bands <= (MAX_BANDS if one_view else 2)
