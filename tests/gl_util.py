"""OpenGL test fixtures and pixel-comparison helpers for the rendering tests.

One offscreen OpenGL 3.3+ context is shared by the whole test session (SDL_VIDEODRIVER=offscreen,
PYOPENGL_PLATFORM=egl, set by conftest.py). Each test using the `gl` fixture starts from a reset
GL state and ends with a glGetError check. When no context can be made the tests are skipped
with the reason, except in CI (CI=true), where rendering tests must run, so they fail.

Use in a test module (the fixtures are named `gl` and `gl_session`):
    from gl_util import gl_fixture, gl_session_fixture  # noqa: F401
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pytest

# PyOpenGL checks errors after every call only if told before OpenGL.GL is first imported.
os.environ.setdefault("NEURAL_ORIGAMI_GL_DEBUG", "1")

WINDOW_SIZE = (320, 240)


@dataclass
class GLSession:
    """The shared context and the GL objects cached on it."""

    size: tuple[int, int]
    generation: int = 0
    _renderer: object | None = None
    _renderer_generation: int = -1
    extra: dict = field(default_factory=dict)

    def renderer(self):
        """A Renderer bound to the current context (rebuilt if the context was recreated)."""
        from sandbox.render.renderer import Renderer

        if self._renderer is None or self._renderer_generation != self.generation:
            self._renderer = Renderer(self.size)
            self._renderer_generation = self.generation
        return self._renderer


def _open_context(size: tuple[int, int]) -> None:
    from sandbox.render.context import create_window

    create_window(size, "neural-origami tests", resizable=False, vsync=False, hidden=True)


def _current_context() -> object:
    """An identity for the current GL context (None when there is none)."""
    from OpenGL import platform

    try:
        return platform.GetCurrentContext() or None
    except Exception:  # noqa: BLE001 - no way to ask: assume unchanged
        return "unknown"


def _context_usable(session: GLSession) -> bool:
    """Our window and context are still the current ones (other tests may open their own)."""
    import pygame

    if not pygame.display.get_init():
        return False
    surface = pygame.display.get_surface()
    if surface is None or not surface.get_flags() & pygame.OPENGL:
        return False
    if tuple(pygame.display.get_window_size()) != session.size:
        return False
    return _current_context() == session.extra.get("context")


@pytest.fixture(scope="session", name="gl_session")
def gl_session_fixture():
    """Create the shared context once; skip (or fail in CI) when there is none."""
    try:
        _open_context(WINDOW_SIZE)
    except Exception as exc:  # GLContextError, or PyOpenGL unable to load EGL at all
        reason = f"no OpenGL 3.3 context could be created: {type(exc).__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (rendering tests must run in CI)")
        pytest.skip(reason)
    session = GLSession(WINDOW_SIZE)
    session.extra["context"] = _current_context()
    yield session


def reset_state(size: tuple[int, int]) -> None:
    from sandbox.render.gl import GL

    GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
    GL.glViewport(0, 0, size[0], size[1])
    GL.glDisable(GL.GL_SCISSOR_TEST)
    GL.glDisable(GL.GL_BLEND)
    GL.glDisable(GL.GL_DEPTH_TEST)
    GL.glUseProgram(0)
    GL.glBindVertexArray(0)
    GL.glClearColor(0.0, 0.0, 0.0, 1.0)
    GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT)


@pytest.fixture(name="gl")
def gl_fixture(gl_session):
    """Per test: a live context in a known state, and no GL error left behind afterwards."""
    from sandbox.render.gl import gl_error_names

    if not _context_usable(gl_session):
        # Another test closed or replaced the window: make ours again, drop cached GL objects.
        _open_context(gl_session.size)
        gl_session.extra["context"] = _current_context()
        gl_session.generation += 1
    gl_error_names()  # start clean
    reset_state(gl_session.size)
    yield gl_session
    errors = gl_error_names()
    reset_state(gl_session.size)
    assert not errors, f"OpenGL errors left by the test: {errors}"


# ---------------------------------------------------------------------- pixel helpers
def assert_pixels_close(
    actual: np.ndarray, expected: np.ndarray, tol: int, mask: np.ndarray | None = None, what=""
) -> None:
    """Every (masked) pixel within `tol` units of 255 per channel; names the worst pixel."""
    a = actual[..., :3].astype(int)
    e = expected[..., :3].astype(int)
    diff = np.abs(a - e).max(axis=-1)
    if mask is not None:
        diff = np.where(mask, diff, 0)
    worst = np.unravel_index(np.argmax(diff), diff.shape)
    bad = int((diff > tol).sum())
    assert diff[worst] <= tol, (
        f"{what}: {bad} pixels differ by more than {tol}; worst at (row, col) {worst}: "
        f"got {a[worst]}, expected {e[worst]}"
    )


def stable_pattern_mask(layers, view, radius: float = 1.5) -> np.ndarray:
    """True where the activation pattern is the same at the pixel centre and at 8 points
    `radius` pixels around it: pixels safely inside one linear region."""
    centers = view.pixel_centers().reshape(-1, 2)
    base = activation_pattern(layers, centers)
    same = np.ones(len(centers), dtype=bool)
    upp = view.units_per_pixel
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        shifted = centers + np.array([dx, dy]) * radius * upp
        same &= (activation_pattern(layers, shifted) == base).all(axis=1)
    return same.reshape(view.height, view.width)


def activation_pattern(layers, X: np.ndarray) -> np.ndarray:
    h = np.asarray(X, dtype=np.float64)
    bits = []
    for W, b in layers[:-1]:
        z = h @ np.asarray(W).T + b
        bits.append(z > 0)
        h = np.maximum(z, 0.0)
    return np.concatenate(bits, axis=1)


# ---------------------------------------------------------------------- scenes
def random_layers(sizes, seed: int = 0, bias_std: float = 0.1) -> list:
    """He-normal weights and N(0, bias_std^2) biases, W of shape (out, in)."""
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(0, np.sqrt(2.0 / n_in), (n_out, n_in)), rng.normal(0, bias_std, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]


def forward(layers, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CPU oracle: (last hidden features, logits) of the network at points X, float64."""
    h = np.asarray(X, dtype=np.float64)
    for W, b in layers[:-1]:
        h = np.maximum(h @ np.asarray(W).T + b, 0.0)
    Wo, bo = layers[-1]
    return h, h @ np.asarray(Wo).T + bo


def laplace_of(layers, X: np.ndarray, prior_precision: float):
    """The app's last-layer Laplace posterior of the network, fitted at X (labels: its own
    predictions; the GGN of the softmax does not depend on them)."""
    from sandbox.bayes import LastLayerLaplace
    from sandbox.nn import MLP

    _, logits = forward(layers, X)
    net = MLP.from_weights(layers)
    return LastLayerLaplace(net, prior_precision=prior_precision).fit(X, logits.argmax(axis=1))


def logit_variance(la, X: np.ndarray) -> np.ndarray:
    """(N, K) logit variances of the Laplace posterior at X: what the shading must show."""
    _, cov = la.logit_mean_cov(np.asarray(X, dtype=np.float64))
    return np.diagonal(cov, axis1=1, axis2=2)


def partition(layers, view):
    """The app's exact partition (sandbox.geometry) of the view's window."""
    from sandbox.geometry import linear_regions
    from sandbox.nn import MLP

    x0, y0, x1, y1 = view.world_bounds()
    return linear_regions(MLP.from_weights(layers), (x0, x1, y0, y1))


def upload(renderer, layers, view, la=None):
    """Partition the view exactly (the app's geometry) and upload mesh, region colours and,
    given a fitted Laplace posterior, its per-region coefficients."""
    part = partition(layers, view)
    m = part.mesh
    renderer.mesh.set_mesh(m.vertices, m.triangles, m.region, m.logits)
    renderer.mesh.set_region_colors(part.region_colors)
    if la is not None:
        renderer.mesh.set_laplace(*la.region_coefficients(part.feature_maps))
    return part


def far_layers(sizes, center, half_width, seed):
    """Random network whose first-layer creases all cross the square of `half_width` at
    `center`, so a view zoomed in there shows real geometry."""
    rng = np.random.default_rng(seed)
    layers = random_layers(sizes, seed)
    W1, _ = layers[0]
    through = np.asarray(center) + rng.uniform(-half_width, half_width, (W1.shape[0], 2))
    b1 = -(W1 * through).sum(axis=1)
    # Deeper biases put later creases near the view too: z2 = 0 somewhere inside it.
    h = np.maximum(through @ W1.T + b1, 0.0)
    layers[0] = (W1, b1)
    for i in range(1, len(layers) - 1):
        W, _ = layers[i]
        z = h @ W.T
        b = -z[rng.integers(0, len(z), W.shape[0]), np.arange(W.shape[0])]
        layers[i] = (W, b)
        h = np.maximum(h @ W.T + b, 0.0)
    # Hidden values scale with the square; scale the output so logits vary by a few units
    # across it, and tie every class at one point, so the decision boundary shows.
    Wo = layers[-1][0] * (3.0 / half_width)
    layers[-1] = (Wo, -(h[0] @ Wo.T))
    return layers


def layers_for(view, sizes, seed):
    """Random layers; far from the origin, ones whose geometry crosses the view."""
    if max(abs(view.center[0]), abs(view.center[1])) > 100:
        half = 0.4 * (view.world_bounds()[3] - view.center[1])
        return far_layers(sizes, view.center, half, seed)
    return random_layers(sizes, seed)
