"""The 3D view's camera and scene frame: orbit, zoom, projection to pixels and picking (numpy only).

`SceneFrame` maps data coordinates (x, y in the plane, z the surface height) to a normalised
scene: the visible window becomes the square [-1, 1]^2 (the longer side) and the height range is
scaled so that the surface is `height_ratio` times as tall as the window is wide, whatever the
units of z (logits, probabilities, activations). `OrbitCamera` looks at the scene from a point on
a sphere around its target: yaw turns around the vertical axis, pitch tilts (both in degrees),
distance zooms; z is up, the projection is perspective. `project` gives the pixel (origin top-left,
y down, like View2D) and depth of scene points exactly as the GL pipeline computes them, so the
rendering tests compare pixels with it; `ray` and `pick_triangles` do the reverse (the 3D cursor).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

DEFAULT_YAW = -55.0
DEFAULT_PITCH = 32.0
DEFAULT_DISTANCE = 3.6
DEFAULT_FOV_Y = 35.0
MIN_DISTANCE = 1.2
MAX_DISTANCE = 20.0
PITCH_LIMIT = 89.0
ORBIT_DEGREES_PER_PIXEL = 0.3
DEFAULT_HEIGHT_RATIO = 0.45


@dataclass
class SceneFrame:
    """Data -> scene coordinates: ((x - cx) / half, (y - cy) / half, (z - zc) * z_scale).

    bounds (xmin, xmax, ymin, ymax) of the window; z_range (lo, hi) of the heights to fit;
    height_ratio: scene height of that range over the window's scene width (2).
    """

    bounds: tuple[float, float, float, float]
    z_range: tuple[float, float] = (0.0, 1.0)
    height_ratio: float = DEFAULT_HEIGHT_RATIO

    def __post_init__(self) -> None:
        xmin, xmax, ymin, ymax = (float(v) for v in self.bounds)
        if not (xmax > xmin and ymax > ymin) or not np.all(np.isfinite(self.bounds)):
            raise ValueError(f"scene bounds {self.bounds} must be finite with max > min")
        lo, hi = (float(v) for v in self.z_range)
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
            raise ValueError(f"height range {self.z_range} must be finite with high >= low")
        if not (math.isfinite(self.height_ratio) and self.height_ratio > 0):
            raise ValueError(f"height ratio {self.height_ratio} must be a positive number")
        self.bounds = (xmin, xmax, ymin, ymax)
        self.z_range = (lo, hi)

    @property
    def center(self) -> tuple[float, float, float]:
        xmin, xmax, ymin, ymax = self.bounds
        return (0.5 * (xmin + xmax), 0.5 * (ymin + ymax), 0.5 * (self.z_range[0] + self.z_range[1]))

    @property
    def half(self) -> float:
        xmin, xmax, ymin, ymax = self.bounds
        return 0.5 * max(xmax - xmin, ymax - ymin)

    @property
    def z_scale(self) -> float:
        span = self.z_range[1] - self.z_range[0]
        # A flat surface (span 0) is drawn flat at any scale; keep the scale finite.
        return 2.0 * self.height_ratio / max(span, 1e-9 * max(1.0, abs(self.z_range[0])), 1e-300)

    @property
    def scale(self) -> np.ndarray:
        """(3,) multipliers applied after subtracting the centre."""
        return np.array([1.0 / self.half, 1.0 / self.half, self.z_scale])

    @property
    def gradient_scale(self) -> float:
        """Scene slope per data slope: dZ/dX = gradient_scale * dz/dx (for normals)."""
        return self.z_scale * self.half

    def to_scene(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64)
        return (p - np.asarray(self.center)) * self.scale

    def from_scene(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64)
        return p / self.scale + np.asarray(self.center)


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray) -> np.ndarray:
    """4x4 view matrix (right-handed, camera looks down its -z)."""
    f = np.asarray(target, float) - np.asarray(eye, float)
    f /= np.linalg.norm(f)
    s = np.cross(f, up)
    n = np.linalg.norm(s)
    if n < 1e-12:  # looking straight along `up`: any side vector will do
        s = np.cross(f, np.array([0.0, 1.0, 0.0]))
        n = np.linalg.norm(s)
    s /= n
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ np.asarray(eye, float)
    return m


def perspective(fov_y_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    """4x4 OpenGL perspective projection."""
    t = 1.0 / math.tan(math.radians(fov_y_deg) / 2.0)
    m = np.zeros((4, 4))
    m[0, 0] = t / aspect
    m[1, 1] = t
    m[2, 2] = (far + near) / (near - far)
    m[2, 3] = 2.0 * far * near / (near - far)
    m[3, 2] = -1.0
    return m


@dataclass
class OrbitCamera:
    """Orbit camera of a `width` x `height` pixel viewport (angles in degrees)."""

    width: int = 1280
    height: int = 800
    yaw: float = DEFAULT_YAW
    pitch: float = DEFAULT_PITCH
    distance: float = DEFAULT_DISTANCE
    target: np.ndarray = field(default_factory=lambda: np.zeros(3))
    fov_y: float = DEFAULT_FOV_Y

    def __post_init__(self) -> None:
        self.width, self.height = int(self.width), int(self.height)
        if self.width < 1 or self.height < 1:
            raise ValueError(
                f"viewport size {self.width}x{self.height} is invalid; both sides must be >= 1"
            )
        if not 1.0 <= float(self.fov_y) <= 170.0:
            raise ValueError(f"field of view {self.fov_y} must lie between 1 and 170 degrees")
        self.target = np.asarray(self.target, dtype=np.float64).reshape(3).copy()
        self.pitch = float(np.clip(self.pitch, -PITCH_LIMIT, PITCH_LIMIT))
        self.distance = float(np.clip(self.distance, MIN_DISTANCE, MAX_DISTANCE))
        self.yaw = float(self.yaw)

    # ------------------------------------------------------------------ matrices
    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    def eye(self) -> np.ndarray:
        y, p = math.radians(self.yaw), math.radians(self.pitch)
        d = np.array([math.cos(p) * math.cos(y), math.cos(p) * math.sin(y), math.sin(p)])
        return self.target + self.distance * d

    def view_matrix(self) -> np.ndarray:
        return look_at(self.eye(), self.target, np.array([0.0, 0.0, 1.0]))

    @property
    def near(self) -> float:
        return max(0.05, self.distance - 3.0)

    @property
    def far(self) -> float:
        return self.distance + 3.0

    def projection_matrix(self) -> np.ndarray:
        return perspective(self.fov_y, self.width / self.height, self.near, self.far)

    def view_projection(self) -> np.ndarray:
        return self.projection_matrix() @ self.view_matrix()

    @property
    def pixels_per_unit_at_unit_depth(self) -> float:
        """Pixels covered by one scene unit at view depth 1 (scale by 1 / depth elsewhere)."""
        return 0.5 * self.height / math.tan(math.radians(self.fov_y) / 2.0)

    # ------------------------------------------------------------------ projection
    def clip(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        h = np.column_stack([p, np.ones(len(p))])
        return h @ self.view_projection().T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scene points (N, 3) -> pixels (N, 2) (origin top-left, y down) and NDC depth (N,)
        in [-1, 1] (nearer is smaller). Points behind the camera get NaN."""
        c = self.clip(points)
        w = c[:, 3]
        with np.errstate(divide="ignore", invalid="ignore"):
            ndc = c[:, :3] / np.where(w > 0, w, np.nan)[:, None]
        px = np.column_stack(
            [(ndc[:, 0] + 1.0) * 0.5 * self.width, (1.0 - ndc[:, 1]) * 0.5 * self.height]
        )
        return px, ndc[:, 2]

    def ray(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixels (N, 2) -> ray origins (N, 3) (the eye) and unit directions (N, 3) in the scene."""
        q = np.asarray(pixels, dtype=np.float64).reshape(-1, 2)
        ndc = np.column_stack(
            [2.0 * q[:, 0] / self.width - 1.0, 1.0 - 2.0 * q[:, 1] / self.height, np.ones(len(q))]
        )
        inv = np.linalg.inv(self.view_projection())
        far = np.column_stack([ndc, np.ones(len(q))]) @ inv.T
        far = far[:, :3] / far[:, 3:]
        eye = self.eye()
        d = far - eye
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        return np.broadcast_to(eye, d.shape).copy(), d

    # ------------------------------------------------------------------ interaction
    def orbit(self, dx: float, dy: float) -> None:
        """Drag by (dx, dy) pixels: right turns the scene, down tilts it towards the viewer."""
        self.yaw = float((self.yaw - ORBIT_DEGREES_PER_PIXEL * dx) % 360.0)
        self.pitch = float(
            np.clip(self.pitch + ORBIT_DEGREES_PER_PIXEL * dy, -PITCH_LIMIT, PITCH_LIMIT)
        )

    def zoom(self, factor: float) -> None:
        """Zoom in by `factor` (> 1 moves closer), distance clamped to [1.2, 20]."""
        if not (math.isfinite(factor) and factor > 0):
            raise ValueError(f"zoom factor {factor} must be a positive finite number")
        self.distance = float(np.clip(self.distance / factor, MIN_DISTANCE, MAX_DISTANCE))

    def reset(self) -> None:
        self.yaw, self.pitch, self.distance = DEFAULT_YAW, DEFAULT_PITCH, DEFAULT_DISTANCE
        self.target = np.zeros(3)

    def resized(self, width: int, height: int) -> OrbitCamera:
        return OrbitCamera(
            width, height, self.yaw, self.pitch, self.distance, self.target.copy(), self.fov_y
        )


def pick_triangles(
    origin: np.ndarray, direction: np.ndarray, triangles: np.ndarray
) -> tuple[int, np.ndarray] | None:
    """Nearest hit of one ray with scene triangles (T, 3, 3): (triangle index, hit point) or None.

    Moller-Trumbore, vectorised over the triangles; both faces count.
    """
    o = np.asarray(origin, np.float64).reshape(3)
    d = np.asarray(direction, np.float64).reshape(3)
    tri = np.asarray(triangles, np.float64).reshape(-1, 3, 3)
    if len(tri) == 0:
        return None
    e1 = tri[:, 1] - tri[:, 0]
    e2 = tri[:, 2] - tri[:, 0]
    p = np.cross(d, e2)
    det = (e1 * p).sum(axis=1)
    ok = np.abs(det) > 1e-14
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = o - tri[:, 0]
    u = (s * p).sum(axis=1) * inv
    q = np.cross(s, e1)
    v = (q @ d) * inv
    t = (e2 * q).sum(axis=1) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    if not hit.any():
        return None
    i = int(np.flatnonzero(hit)[np.argmin(t[hit])])
    return i, o + t[i] * d


def pick_surface(
    camera: OrbitCamera,
    frame: SceneFrame,
    positions: np.ndarray,
    triangles: np.ndarray,
    pixel,
) -> np.ndarray | None:
    """The data point (x, y, z) of a surface mesh under a viewport pixel (origin top-left), or
    None: the 3D half of the linked cursor (its (x, y) is the point to mark in the 2D view)."""
    tri = frame.to_scene(np.asarray(positions, np.float64))[np.asarray(triangles, np.int64)]
    o, d = camera.ray(np.asarray(pixel, np.float64).reshape(1, 2))
    hit = pick_triangles(o[0], d[0], tri)
    return None if hit is None else frame.from_scene(hit[1])
