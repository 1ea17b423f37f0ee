"""The 2D camera: which part of the plane the screen shows, and the maps between world, screen
and normalised device coordinates.

`View2D` is pure numpy (no OpenGL), so the app uses it for panning and zooming, the geometry asks
it for the visible window, and the tests use it to find the world point under a pixel. World
coordinates have y up; screen coordinates are pixels with the origin at the top-left corner and
y down, pixel (i, j) covering [i, i+1) x [j, j+1) so its centre is (i + 0.5, j + 0.5). The zoom is
relative to the default view, which fits the square [-6, 6]^2 into the viewport.

Far from the origin and deeply zoomed in, float32 cannot hold world coordinates finely enough, so
every GL pass uploads positions relative to an origin chosen in float64 on the CPU and receives
`origin - centre` (small in pixels) as a uniform; `View2D` does all its own arithmetic in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_HALF_EXTENT = 6.0
ZOOM_MIN = 0.01
ZOOM_MAX = 1000.0


@dataclass
class View2D:
    """A viewport of `width` x `height` pixels looking at the plane around `center`.

    `zoom` = 1 shows [-6, 6] across the smaller viewport side (centred on `center`); `zoom` = 2
    shows half of that. Use `pixels_per_unit` for the actual scale.
    """

    center: tuple[float, float] = (0.0, 0.0)
    zoom: float = 1.0
    width: int = 1280
    height: int = 800

    def __post_init__(self) -> None:
        self.center = (float(self.center[0]), float(self.center[1]))
        self.width = int(self.width)
        self.height = int(self.height)
        if self.width < 1 or self.height < 1:
            raise ValueError(
                f"viewport size {self.width}x{self.height} is invalid; both sides must be >= 1"
            )
        if not np.isfinite(self.center).all():
            raise ValueError(f"view centre {self.center} must be finite")
        self.zoom = float(np.clip(self.zoom, ZOOM_MIN, ZOOM_MAX))

    # ------------------------------------------------------------------ scale
    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def base_pixels_per_unit(self) -> float:
        """Scale at zoom 1: [-6, 6] fills the smaller side of the viewport."""
        return min(self.width, self.height) / (2.0 * DEFAULT_HALF_EXTENT)

    @property
    def pixels_per_unit(self) -> float:
        return self.zoom * self.base_pixels_per_unit

    @property
    def units_per_pixel(self) -> float:
        return 1.0 / self.pixels_per_unit

    def world_bounds(self) -> tuple[float, float, float, float]:
        """The visible rectangle (xmin, ymin, xmax, ymax) in world units."""
        hw = 0.5 * self.width / self.pixels_per_unit
        hh = 0.5 * self.height / self.pixels_per_unit
        cx, cy = self.center
        return (cx - hw, cy - hh, cx + hw, cy + hh)

    # ------------------------------------------------------------------ conversions
    def world_to_screen(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) world points -> (..., 2) screen pixels (origin top-left, y down)."""
        p = np.asarray(points, dtype=np.float64)
        s = self.pixels_per_unit
        out = np.empty_like(p)
        out[..., 0] = 0.5 * self.width + (p[..., 0] - self.center[0]) * s
        out[..., 1] = 0.5 * self.height - (p[..., 1] - self.center[1]) * s
        return out

    def screen_to_world(self, pixels: np.ndarray) -> np.ndarray:
        """(..., 2) screen pixels (origin top-left, y down) -> (..., 2) world points."""
        q = np.asarray(pixels, dtype=np.float64)
        s = self.pixels_per_unit
        out = np.empty_like(q)
        out[..., 0] = self.center[0] + (q[..., 0] - 0.5 * self.width) / s
        out[..., 1] = self.center[1] - (q[..., 1] - 0.5 * self.height) / s
        return out

    def world_to_ndc(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) world points -> (..., 2) normalised device coordinates (y up, [-1, 1])."""
        p = np.asarray(points, dtype=np.float64)
        sx, sy = self.ndc_scale
        out = np.empty_like(p)
        out[..., 0] = (p[..., 0] - self.center[0]) * sx
        out[..., 1] = (p[..., 1] - self.center[1]) * sy
        return out

    def ndc_to_world(self, ndc: np.ndarray) -> np.ndarray:
        q = np.asarray(ndc, dtype=np.float64)
        sx, sy = self.ndc_scale
        out = np.empty_like(q)
        out[..., 0] = self.center[0] + q[..., 0] / sx
        out[..., 1] = self.center[1] + q[..., 1] / sy
        return out

    def pixel_centers(self) -> np.ndarray:
        """World coordinates of every pixel centre, shape (height, width, 2), rows top-down."""
        j, i = np.mgrid[0 : self.height, 0 : self.width]
        return self.screen_to_world(np.stack([i + 0.5, j + 0.5], axis=-1))

    @property
    def ndc_scale(self) -> tuple[float, float]:
        """Multiply (world - centre) by this to get NDC."""
        s = self.pixels_per_unit
        return (2.0 * s / self.width, 2.0 * s / self.height)

    def relative_scale(self, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """Uniforms for positions uploaded relative to `origin`: NDC = (p_rel + offset) * scale.

        The offset `origin - centre` is formed in float64 and is small in pixels whenever the
        data was uploaded for a view near this one, so float32 keeps it exact to a pixel's
        fraction at any zoom.
        """
        offset = np.array(
            [origin[0] - self.center[0], origin[1] - self.center[1]], dtype=np.float64
        )
        return offset.astype(np.float32), np.asarray(self.ndc_scale, dtype=np.float32)

    # ------------------------------------------------------------------ interaction
    def resized(self, width: int, height: int) -> View2D:
        return View2D(self.center, self.zoom, width, height)

    def pan_pixels(self, dx: float, dy: float) -> None:
        """Move the picture by (dx, dy) screen pixels (drag with the mouse: pass its motion)."""
        s = self.pixels_per_unit
        self.center = (self.center[0] - dx / s, self.center[1] + dy / s)

    def zoom_at(self, screen_pos: tuple[float, float], factor: float) -> None:
        """Multiply the zoom by `factor`, keeping the world point under `screen_pos` fixed.

        The zoom is clamped to [0.01, 1000]; at a limit the point under the cursor still stays.
        """
        if not (np.isfinite(factor) and factor > 0):
            raise ValueError(f"zoom factor {factor} must be a positive finite number")
        anchor = self.screen_to_world(np.asarray(screen_pos, dtype=np.float64))
        self.zoom = float(np.clip(self.zoom * factor, ZOOM_MIN, ZOOM_MAX))
        s = self.pixels_per_unit
        sx, sy = float(screen_pos[0]), float(screen_pos[1])
        self.center = (
            float(anchor[0] - (sx - 0.5 * self.width) / s),
            float(anchor[1] + (sy - 0.5 * self.height) / s),
        )

    def reset(self) -> None:
        """Back to the default view of [-6, 6]^2."""
        self.center = (0.0, 0.0)
        self.zoom = 1.0
