"""The per-pixel network fallback: the whole forward pass in a fragment shader.

Used when the exact partition has more regions than the mesh budget. It is exact per pixel too
(float32 arithmetic), but costs far more than the mesh on a software rasteriser, which is why the
mesh path is the main one. A network of at most `STRAIGHT_MAX_BLOCKS` 4x4 weight blocks gets a
program of its own shape (`forward_statements`: the products written out, every index a
constant), 3-24 times faster on llvmpipe than the one program with loops that serves any shape
(1920x1080: tanh 2-8-2 18 against 427 ms, 2-16-16-16-2 111 against 1,186 ms, 2-32-32-32-2 415
against 2,258 ms); the last `PROGRAMS_KEPT` shapes' programs are kept. Networks of up to 8
hidden layers of width up to 64 are supported. Weights are packed into an RGBA32F buffer
texture (layout in shaders/mlp.frag). The first layer's biases absorb W1 * centre in float64 on
the CPU, so the shader's input is the position relative to the view centre and the picture stays
exact when zoomed in far from the origin. Colour mappings are the same as the field pass's
(OUTPUT mode; regions and Laplace need the mesh). Every activation of sandbox.vocab.Activation
and residual layers run here too: this is how networks with a smooth activation (no regions)
are drawn.

What a pixel costs differs by a thousand between networks and machines (llvmpipe on two cores:
10 ns for tanh 2-8-2 written out, 6 us for 8 x 64 with the loops), so `pixel_ns` measures it,
once per program and activation, on a small offscreen target: the plane decides from it whether
to draw the network per pixel at once, in bands, or sampled on a grid
(sandbox.render.per_pixel_plane).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .camera import View2D
from .field import FieldMode, FieldStyle, set_palette_uniforms
from .gl import GL, TextureBuffer
from .mesh_pack import MAX_OUTPUTS
from .shaders import Program, load_program
from .target import RenderTarget

MAX_LAYERS = 9  # 8 hidden + output
MAX_WIDTH = 64
# a shape's own program up to this many 4x4 blocks (2-64-64-2 has 288): llvmpipe compiles 144
# blocks in 42 ms, 544 in 290 ms and 1,824 in 2.4 s, one frame's stall per new shape
STRAIGHT_MAX_BLOCKS = 320
PROGRAMS_KEPT = 6
# a pixel's cost is measured on one of llvmpipe's 64 x 64 tiles, then, when that took under
# `MEASURE_AGAIN_MS` (the draw's own overhead would weigh), on eight: a window's pixels are
# shared by the rasteriser's threads, so a tile alone may read more than a pixel of a window
# costs (cautious on more cores)
MEASURE_SIZES = ((64, 64), (256, 128))
MEASURE_AGAIN_MS = 4.0


def _groups(shape: Sequence[int]) -> list[int]:
    return [(int(n) + 3) // 4 for n in shape]


def weight_blocks(shape: Sequence[int]) -> int:
    """How many 4x4 blocks of weights the network [2, hidden..., K] has (pack_weights)."""
    g = _groups(shape)
    return sum(a * b for a, b in zip(g[:-1], g[1:], strict=False))


def forward_statements(shape: Sequence[int], residual: Sequence[bool] = ()) -> tuple[str, str, str]:
    """The forward pass of a network of `shape` ([2, hidden..., K]) written out for mlp.frag's
    FORWARD: (statements on one line, OUT0, OUT1). Texel indices follow pack_weights' layout;
    hidden layer l (0-based) with residual[l] adds its input."""
    g = _groups(shape)
    lines = ["vec4 h0_0 = vec4(v_pos, 0.0, 0.0);"]
    at = 0
    last = len(shape) - 2
    for layer in range(len(shape) - 1):
        n_in4, n_out4 = g[layer], g[layer + 1]
        bias = at + 4 * n_out4 * n_in4
        adds = layer < last and layer < len(residual) and bool(residual[layer])
        for o in range(n_out4):
            terms = [f"texelFetch(u_weights, {bias + o})"]
            terms += [f"weight_block({at + 4 * (o * n_in4 + j)}) * h{layer}_{j}"
                      for j in range(n_in4)]  # fmt: skip
            acc = " + ".join(terms)
            if layer == last:
                value = acc
            else:
                value = f"activate({acc})" + (f" + h{layer}_{o}" if adds else "")
            lines.append(f"vec4 h{layer + 1}_{o} = {value};")
        at = bias + n_out4
    out = [f"h{last + 1}_{o}" for o in range(g[-1])]
    return " ".join(lines), out[0], out[1] if len(out) > 1 else "vec4(0.0)"


def pack_weights(
    layers: Sequence[tuple[np.ndarray, np.ndarray]], center: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """[(W, b), ...] -> (texels (n, 4) float32, offsets (n_layers,) int32) in the 4x4 block
    layout of shaders/mlp.frag; biases of layer 1 shifted by W1 @ center so the input is the
    position relative to `center`."""
    chunks = []
    offsets = []
    at = 0
    for i, (W, b) in enumerate(layers):
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if i == 0:
            b = b + W @ np.asarray(center, dtype=np.float64)
        n_out, n_in = W.shape
        n_out4, n_in4 = (n_out + 3) // 4, (n_in + 3) // 4
        padded = np.zeros((4 * n_out4, 4 * n_in4))
        padded[:n_out, :n_in] = W
        # blocks[o, j, c, r] = W[4o + r, 4j + c]: texel (o, j, c) is column c of block (o, j).
        blocks = padded.reshape(n_out4, 4, n_in4, 4).transpose(0, 2, 3, 1)
        bias = np.zeros(4 * n_out4)
        bias[:n_out] = b
        block = np.concatenate([blocks.reshape(-1), bias]).reshape(-1, 4)
        offsets.append(at)
        at += len(block)
        chunks.append(block)
    return np.concatenate(chunks).astype(np.float32), np.asarray(offsets, dtype=np.int32)


class MLPFieldPass:
    """Draws the output field by running the network per pixel."""

    def __init__(self) -> None:
        # by (outputs, discretise, widest in vec4s) for the loops, (outputs, discretise, shape,
        # activation, residual) for a shape's own; the least recently used of those dropped
        self._programs: OrderedDict[tuple, Program] = OrderedDict()
        self.weights = TextureBuffer(GL.GL_RGBA32F)
        self.vao = int(GL.glGenVertexArrays(1))
        self._layers: list[tuple[np.ndarray, np.ndarray]] = []
        self._uploaded_center: tuple[float, float] | None = None
        self._offsets = np.zeros(0, np.int32)
        self._activation = 0
        self._slope = 0.0
        self._residual = [0] * MAX_LAYERS
        self.version = 0  # bumped by set_network (held pictures of the field compare it)
        self._pixel_ns: dict[tuple, float] = {}  # measured cost of a pixel (pixel_ns)

    def set_network(
        self,
        layers: Sequence[tuple[np.ndarray, np.ndarray]],
        activation: int = 0,
        negative_slope: float = 0.0,
        residual: Sequence[bool] = (),
    ) -> None:
        """[(W1, b1), ..., (Wo, bo)] with W of shape (out, in); input width 2. activation: the
        kernel id of the hidden activation (sandbox.nn.activations.ACTIVATION_IDS); residual:
        per hidden layer, whether it adds its input."""
        layers = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in layers]
        if not 2 <= len(layers) <= MAX_LAYERS:
            raise ValueError(
                f"the per-pixel network shader takes 1 to {MAX_LAYERS - 1} hidden layers, "
                f"got {len(layers) - 1}"
            )
        if layers[0][0].shape[1] != 2:
            raise ValueError(f"the network must take 2 inputs, got {layers[0][0].shape[1]}")
        for i, (W, _) in enumerate(layers[:-1], start=1):
            if W.shape[0] > MAX_WIDTH:
                raise ValueError(
                    f"hidden layer {i} has width {W.shape[0]}; the per-pixel shader allows "
                    f"at most {MAX_WIDTH}"
                )
        k = layers[-1][0].shape[0]
        if not 1 <= k <= MAX_OUTPUTS:
            raise ValueError(f"the network has {k} outputs; allowed: 1 to {MAX_OUTPUTS}")
        self._layers = layers
        self.version += 1
        self._uploaded_center = None
        self._activation = int(activation)
        self._slope = float(negative_slope)
        flags = [1 if r else 0 for r in residual]
        self._residual = (flags + [0] * MAX_LAYERS)[:MAX_LAYERS]

    @property
    def n_outputs(self) -> int:
        return int(self._layers[-1][0].shape[0]) if self._layers else 0

    def draw(self, view: View2D, style: FieldStyle | None = None) -> None:
        style = style or FieldStyle()
        if not self._layers:
            return
        if style.mode is not FieldMode.OUTPUT or style.regions:
            raise ValueError("the per-pixel network shader draws the OUTPUT mode without regions")
        if self._uploaded_center != view.center:
            texels, self._offsets = pack_weights(self._layers, view.center)
            self.weights.update(texels)
            self._uploaded_center = view.center
        p = self._program(bool(style.discretise))
        p.use()
        p.set_float("u_ppu", view.pixels_per_unit)
        p.set_vec2("u_viewport", (view.width, view.height))
        set_palette_uniforms(p, style)
        n = len(self._layers)
        p.set_int("u_layers", n)
        p.set_int_array("u_in", [W.shape[1] for W, _ in self._layers])
        p.set_int_array("u_out", [W.shape[0] for W, _ in self._layers])
        p.set_int_array("u_offset", self._offsets)
        p.set_int("u_activation", self._activation)
        p.set_float("u_slope", self._slope)
        p.set_int_array("u_residual", self._residual)
        p.set_int("u_weights", 0)
        self.weights.bind(0)
        GL.glDisable(GL.GL_BLEND)
        GL.glBindVertexArray(self.vao)
        GL.glDrawArrays(GL.GL_TRIANGLES, 0, 3)
        GL.glBindVertexArray(0)

    @property
    def shape(self) -> list[int]:
        """[2, hidden..., K] of the network set."""
        return [int(self._layers[0][0].shape[1])] + [int(W.shape[0]) for W, _ in self._layers]

    @property
    def straight(self) -> bool:
        """Whether the network is drawn by a program of its own shape (module docstring)."""
        return bool(self._layers) and weight_blocks(self.shape) <= STRAIGHT_MAX_BLOCKS

    def _program(self, discretise: bool) -> Program:
        shape = self.shape
        straight = self.straight
        residual = tuple(self._residual[: len(shape) - 2])
        if straight:
            key = (self.n_outputs, discretise, tuple(shape), self._activation, residual)
        else:
            key = (self.n_outputs, discretise, (max(shape) + 3) // 4)
        p = self._programs.get(key)
        if p is None:  # (the written-out code is made only for a program not kept)
            defines: dict[str, object] = {"K": self.n_outputs, "DISCRETISE": int(discretise)}
            if straight:
                statements, out0, out1 = forward_statements(shape, residual)
                defines.update(FORWARD=statements, OUT0=out0, OUT1=out1,
                               ACTIVATION=self._activation, MAX_VEC4=1)  # fmt: skip
            else:
                defines["MAX_VEC4"] = key[2]
            p = load_program("fullscreen.vert", "mlp.frag", defines=defines)
            self._programs[key] = p
            own = [k for k in self._programs if len(k) == 5]
            if len(own) > PROGRAMS_KEPT:
                self._programs.pop(own[0]).delete()
        self._programs.move_to_end(key)
        return p

    def pixel_ns(self) -> float:
        """Nanoseconds a pixel of the network set costs to draw here: measured on a small
        offscreen target the first time a program and activation are asked for (the draw that
        compiles the program is not counted; module docstring). GL state is left as found."""
        if not self._layers:
            return 0.0
        key = (tuple(self.shape), self._activation, self.straight, tuple(self._residual))
        ns = self._pixel_ns.get(key)
        if ns is None:
            if len(self._pixel_ns) > 64:
                self._pixel_ns.clear()
            ns = self._pixel_ns[key] = self._measure()
        return ns

    def _measure(self) -> float:
        fbo = int(GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING))
        viewport = [int(v) for v in GL.glGetIntegerv(GL.GL_VIEWPORT)]
        box = [int(v) for v in GL.glGetIntegerv(GL.GL_SCISSOR_BOX)]
        scissor = bool(GL.glIsEnabled(GL.GL_SCISSOR_TEST))
        ns = 0.0
        try:
            for i, (w, h) in enumerate(MEASURE_SIZES):
                target = RenderTarget((w, h), depth=False)
                try:
                    target.bind()
                    view = View2D((0.0, 0.0), 1.0, w, h)
                    if i == 0:  # the program's first draw compiles it: one pixel
                        GL.glEnable(GL.GL_SCISSOR_TEST)
                        GL.glScissor(0, 0, 1, 1)
                        self.draw(view)
                        GL.glDisable(GL.GL_SCISSOR_TEST)
                    GL.glFinish()
                    t0 = time.perf_counter()
                    self.draw(view)
                    GL.glFinish()
                    seconds = time.perf_counter() - t0
                finally:
                    target.delete()
                ns = 1e9 * seconds / (w * h)
                if 1e3 * seconds >= MEASURE_AGAIN_MS:
                    break
        finally:
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, fbo)
            GL.glViewport(*viewport)
            GL.glScissor(*box)
            (GL.glEnable if scissor else GL.glDisable)(GL.GL_SCISSOR_TEST)
        return ns

    def delete(self) -> None:
        for program in self._programs.values():
            program.delete()
        self._programs.clear()
        self.weights.delete()
        if self.vao:
            GL.glDeleteVertexArrays(1, [self.vao])
            self.vao = 0
