"""The 3D view: the folded-paper surface, its creases, the data points on it, and the Laplace band.

`Surface3DPass` draws what sandbox.geometry.surface builds (arrays only; it never sees a network):
lit facets coloured like the 2D field (region pastel, class tint by confidence or the value ramp)
with per-facet normals from the uploaded height gradients; crease and boundary segments on the
surface with a constant pixel width, depth-tested and pulled slightly forward; points as small
lit spheres standing on the surface; a translucent band (two surfaces) for the regression
uncertainty and an optional translucent reference plane at a chosen height (0 for the logit
difference: where the surface crosses it is the decision boundary). A `SceneFrame` maps data to
scene coordinates and an `OrbitCamera` looks at the scene (sandbox.render.camera3d).

Typical use (the app keeps one pass, re-uploads when the surface changed):

    fs = build_surface(partition, net, "output")            # sandbox.geometry.surface
    frame = SceneFrame(partition.bounds, fs.z_range())
    p3d.set_surface(fs.surface, partition.region_colors)
    p3d.set_creases(fs.creases.segments, crease_rgba, 2.0)  # colour per segment by layer
    p3d.set_points(fs.lift_points(X), classes)
    p3d.draw(camera, frame, Surface3DStyle(), viewport=(x, y, w, h))

`draw` needs a depth buffer on the bound framebuffer (the window from create_window and every
RenderTarget have one); it clears depth inside its viewport only and leaves depth testing off.
Data are uploaded relative to an origin in float64, and the frame's offset and scale are
uniforms, so changing the height exaggeration or the frame never re-uploads anything.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import palette
from .camera3d import OrbitCamera, SceneFrame
from .field import set_palette_uniforms
from .gl import GL, DynamicBuffer, InstanceBatch, attrib_pointer
from .lines import rgba_rows, scalar_rows
from .mesh_pack import upload_origin
from .shaders import Program, load_program

# Lights in view space (x right, y up, z towards the viewer): a key light from the upper left and
# a weaker fill from the lower right, plus ambient; a facet facing the viewer gets about 0.96.
KEY_DIR = np.array([-0.35, 0.55, 0.76]) / np.linalg.norm([-0.35, 0.55, 0.76])
FILL_DIR = np.array([0.6, -0.25, 0.55]) / np.linalg.norm([0.6, -0.25, 0.55])
AMBIENT, KEY_WEIGHT, FILL_WEIGHT = 0.42, 0.55, 0.18
BAND_COLOR = np.array([0.35, 0.45, 0.75], dtype=np.float32)
PLANE_COLOR = np.array([0.55, 0.55, 0.6], dtype=np.float32)
HIGHLIGHT_COLOR = np.array([1.0, 1.0, 1.0], dtype=np.float32)
MAX_VALUES = 6
_SURFACE_FLOATS = 3 + 2 + MAX_VALUES + 3
_LINE_FLOATS = 3 + 3 + 4 + 1
_POINT_FLOATS = 3 + 3
DEPTH_BIAS = 2e-4
# a picture drawn in this many parts or more draws its surface in two of them (`draw`)
SURFACE_HALVES_FROM = 5


@dataclass
class Surface3DStyle:
    """How the surface is coloured and what is drawn. The colour fields mirror FieldStyle."""

    regions: bool = True
    tint: bool = True
    discretise: bool = False
    strength: float = palette.DEFAULT_STRENGTH
    value_range: tuple[float, float] = (-1.0, 1.0)
    levels: int = palette.DEFAULT_LEVELS
    background: np.ndarray = field(default_factory=lambda: palette.BACKGROUND.copy())
    creases: bool = True
    boundary: bool = True
    points: bool = True
    band: bool = True
    band_alpha: float = 0.35
    plane: bool = True
    plane_alpha: float = 0.22
    cursor: bool = True  # off: the cursor's dot is drawn apart, over a held picture (draw_cursor)

    def __post_init__(self) -> None:
        if not self.value_range[1] > self.value_range[0]:
            raise ValueError(f"value range {self.value_range} must have high > low")
        if not 0.0 <= self.band_alpha <= 1.0 or not 0.0 <= self.plane_alpha <= 1.0:
            raise ValueError("band_alpha and plane_alpha must lie in [0, 1]")


def shade_factor(normals_view: np.ndarray) -> np.ndarray:
    """CPU twin of the fragment shader's lighting: (N, 3) unit view-space normals -> (N,)."""
    n = np.asarray(normals_view, dtype=np.float64).reshape(-1, 3)
    return (
        AMBIENT
        + KEY_WEIGHT * np.maximum(n @ KEY_DIR, 0.0)
        + FILL_WEIGHT * np.maximum(n @ FILL_DIR, 0.0)
    )


def shade_colors(
    base: np.ndarray,
    normals_scene: np.ndarray,
    camera: OrbitCamera,
    points_scene: np.ndarray | None = None,
) -> np.ndarray:
    """CPU twin of a lit surface pixel: base colours (N, 3) and scene normals (N, 3) -> (N, 3)
    colours in [0, 1]. With the scene points seen (N, 3), a face seen from behind has its normal
    flipped, as the shader does for back faces; without them the front side is assumed."""
    n = np.asarray(normals_scene, dtype=np.float64).reshape(-1, 3)
    n = n / np.linalg.norm(n, axis=1, keepdims=True)
    if points_scene is not None:
        to_eye = camera.eye() - np.asarray(points_scene, dtype=np.float64).reshape(-1, 3)
        n = np.where(((n * to_eye).sum(axis=1) < 0)[:, None], -n, n)
    nv = n @ camera.view_matrix()[:3, :3].T
    nv /= np.linalg.norm(nv, axis=1, keepdims=True)
    return np.clip(np.asarray(base, np.float64) * shade_factor(nv)[:, None], 0.0, 1.0)


def point_centers(camera: OrbitCamera, points_scene: np.ndarray, radius_px) -> np.ndarray:
    """CPU twin of the point shader's placement: scene points (N, 3) on the surface -> pixel
    centres (N, 2) of their balls (lifted 1.5 radii along +z, the radius converted to scene
    units at the point's depth)."""
    p = np.asarray(points_scene, np.float64).reshape(-1, 3)
    view = camera.view_matrix()
    depth = -(np.column_stack([p, np.ones(len(p))]) @ view.T)[:, 2]
    lift = 1.5 * np.asarray(radius_px, np.float64) * np.maximum(depth, 1e-6)
    lifted = p.copy()
    lifted[:, 2] += lift / camera.pixels_per_unit_at_unit_depth
    return camera.project(lifted)[0]


class PackedSurface(NamedTuple):
    """A surface's vertices as the GPU takes them (pack_surface): plain arrays, no GL."""

    data: np.ndarray  # (V, _SURFACE_FLOATS) float32: position - origin, gradient, values, colour
    indices: np.ndarray  # (3 T,) uint32
    origin: np.ndarray  # (3,) subtracted from the positions (kept in float64)
    n_values: int | None  # colour values per vertex (None: none given)


def pack_surface(
    positions: np.ndarray,
    triangles: np.ndarray,
    gradients: np.ndarray,
    values: np.ndarray | None = None,
    base_colors: np.ndarray | None = None,
) -> PackedSurface:
    """Check and pack a surface for `_SurfaceMesh.upload`. No GL: the 3D view's job packs a big
    surface on the geometry worker (8 x 64's: 25-60 ms kept out of the frame)."""
    pos = np.asarray(positions, dtype=np.float64)
    tri = np.asarray(triangles)
    n = len(pos)
    if pos.ndim != 2 or pos.shape[1] != 3:
        raise ValueError(f"surface positions must have shape (V, 3), got {pos.shape}")
    if tri.size and (tri.ndim != 2 or tri.shape[1] != 3 or tri.min() < 0 or tri.max() >= n):
        raise ValueError(f"surface triangles must be (T, 3) indices into {n} vertices")
    grad = np.asarray(gradients, dtype=np.float64)
    if grad.shape != (n, 2):
        raise ValueError(f"surface gradients must have shape ({n}, 2), got {grad.shape}")
    if not (np.isfinite(pos).all() and np.isfinite(grad).all()):
        raise ValueError("surface positions and gradients must be finite")
    data = np.zeros((n, _SURFACE_FLOATS), dtype=np.float32)
    origin = upload_origin(pos)
    data[:, 0:3] = pos - origin
    data[:, 3:5] = grad
    n_values = None
    if values is not None:
        v = np.asarray(values, dtype=np.float64)
        if v.ndim == 1:
            v = v[:, None]
        if v.shape[0] != n or not 1 <= v.shape[1] <= MAX_VALUES:
            raise ValueError(
                f"colour values must have shape ({n}, K), K = 1..{MAX_VALUES}, got {v.shape}"
            )
        data[:, 5 : 5 + v.shape[1]] = np.nan_to_num(v, nan=0.0, posinf=1e30, neginf=-1e30)
        n_values = int(v.shape[1])
    if base_colors is not None:
        data[:, 11:14] = np.asarray(base_colors, dtype=np.float32).reshape(n, -1)[:, :3]
    return PackedSurface(data, tri.astype(np.uint32, copy=False).reshape(-1), origin, n_values)


def pack_folded(surface, region_colors: np.ndarray | None = None) -> PackedSurface:
    """pack_surface of a sandbox.geometry.surface.Surface (positions, triangles, gradients,
    region, colour_values); region_colors (R, 3) indexed by its region ids gives the base
    colours."""
    base = None
    if region_colors is not None and len(surface.region):
        rc = np.asarray(region_colors, dtype=np.float32)
        if rc.ndim != 2 or rc.shape[1] < 3 or rc.shape[0] <= int(surface.region.max()):
            raise ValueError(
                f"region colours must be (R, 3) covering region {int(surface.region.max())}, "
                f"got {rc.shape}"
            )
        base = rc[surface.region, :3]
    return pack_surface(
        surface.positions, surface.triangles, surface.gradients, surface.colour_values, base
    )


class _SurfaceMesh:
    """One uploaded surface (main, band lower/upper or the reference plane)."""

    def __init__(self) -> None:
        self.vao = int(GL.glGenVertexArrays(1))
        # drawn only into the held 3D picture: each upload writes into the storage it has
        self.vertices = DynamicBuffer(GL.GL_ARRAY_BUFFER, orphan=False)
        self.indices = DynamicBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, orphan=False)
        self.origin = np.zeros(3)
        self.n_indices = 0
        self.n_values = 1
        GL.glBindVertexArray(self.vao)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.vertices.id)
        stride = 4 * _SURFACE_FLOATS
        attrib_pointer(0, 3, stride, 0)
        attrib_pointer(1, 2, stride, 12)
        attrib_pointer(2, 4, stride, 20)
        attrib_pointer(3, 2, stride, 36)
        attrib_pointer(4, 3, stride, 44)
        GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self.indices.id)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def upload(self, packed: PackedSurface) -> None:
        """A packed surface (pack_surface, made on any thread) to the GPU."""
        self.origin = packed.origin
        if packed.n_values is not None:
            self.n_values = packed.n_values
        self.vertices.update(packed.data)
        GL.glBindVertexArray(self.vao)
        self.indices.update(packed.indices)
        GL.glBindVertexArray(0)
        self.n_indices = int(packed.indices.size)

    def clear(self) -> None:
        self.n_indices = 0

    def draw(self, share: tuple[int, int] = (0, 1)) -> None:
        """Its triangles, or the j-th of m equal shares of them (`share` (j, m)): the shares
        drawn one after the other make the whole draw's pixels."""
        j, m = share
        n_triangles = self.n_indices // 3
        first, last = n_triangles * j // m, n_triangles * (j + 1) // m
        if last <= first:
            return
        GL.glBindVertexArray(self.vao)
        offset = ctypes.c_void_p(4 * 3 * first)
        GL.glDrawElements(GL.GL_TRIANGLES, 3 * (last - first), GL.GL_UNSIGNED_INT, offset)
        GL.glBindVertexArray(0)

    def delete(self) -> None:
        self.vertices.delete()
        self.indices.delete()
        if self.vao:
            GL.glDeleteVertexArrays(1, [self.vao])
            self.vao = 0


class _Instances(InstanceBatch):
    """Instanced quads with a fixed float layout (segments or points), rows of (location,
    floats) attributes one after the other, at a 3D origin."""

    def __init__(self, layout: list[tuple[int, int]]) -> None:
        offsets = np.cumsum([0] + [size for _, size in layout])  # floats before each
        attribs = tuple(
            (loc, size, 4 * int(o)) for (loc, size), o in zip(layout, offsets[:-1], strict=True)
        )
        super().__init__(int(offsets[-1]), attribs)
        self.origin = np.zeros(3)

    def update(self, data: np.ndarray, origin: np.ndarray) -> None:
        self.origin = origin
        self.count = len(data)
        if self.count:
            self.buffer.update(np.ascontiguousarray(data, dtype=np.float32))


def _set_mat4(program: Program, name: str, m: np.ndarray) -> None:
    GL.glUniformMatrix4fv(
        program.location(name), 1, GL.GL_TRUE, np.ascontiguousarray(m, dtype=np.float32)
    )


def _set_model(program: Program, frame: SceneFrame, origin: np.ndarray) -> None:
    offset = np.asarray(origin, np.float64) - np.asarray(frame.center)
    program.set_vec3("u_model_offset", offset)
    program.set_vec3("u_model_scale", frame.scale)


class Surface3DPass:
    """GPU data and programs of the 3D view (see the module docstring)."""

    def __init__(self) -> None:
        self._surface_programs: dict[tuple[int, bool, bool], Program] = {}
        self.line_program = load_program("surface3d_lines.vert", "lines.frag")
        self.point_program = load_program("surface3d_points.vert", "surface3d_points.frag")
        self.surface = _SurfaceMesh()
        self.lower = _SurfaceMesh()
        self.upper = _SurfaceMesh()
        self.plane = _SurfaceMesh()
        self.creases = _Instances([(0, 3), (1, 3), (2, 4), (3, 1)])
        self.boundary = _Instances([(0, 3), (1, 3), (2, 4), (3, 1)])
        self.highlight = _Instances([(0, 3), (1, 3), (2, 4), (3, 1)])
        self.points = _Instances([(0, 3), (1, 3)])
        self.cursor = _Instances([(0, 3), (1, 3)])
        self.outline = palette.POINT_OUTLINE.copy()
        self.outline_width = 1.5
        # the colour of each point "class" (a grey ramp for picture targets)
        self.point_colors = palette.CLASS_COLORS.copy()

    def surface_program(self, n_values: int, discretise: bool, flat: bool) -> Program:
        """The surface program variant (compiled on first use, then cached)."""
        key = (int(n_values), bool(discretise), bool(flat))
        program = self._surface_programs.get(key)
        if program is None:
            defines = {"K": key[0], "DISCRETISE": int(key[1]), "FLAT": int(key[2])}
            program = load_program("surface3d.vert", "surface3d.frag", defines=defines)
            self._surface_programs[key] = program
        return program

    # ------------------------------------------------------------------ uploads
    def set_surface(self, surface, region_colors: np.ndarray | None = None) -> None:
        """Upload a sandbox.geometry.surface.Surface with its region colours (pack_folded)."""
        self.surface.upload(pack_folded(surface, region_colors))

    def set_packed_surface(self, packed: PackedSurface) -> None:
        """Upload a surface packed elsewhere (pack_folded, on the geometry worker)."""
        self.surface.upload(packed)

    def set_band(self, lower, upper) -> None:
        """The regression uncertainty band: two Surfaces (or None to remove it)."""
        if lower is None or upper is None:
            self.lower.clear()
            self.upper.clear()
            return
        self.lower.upload(pack_surface(lower.positions, lower.triangles, lower.gradients))
        self.upper.upload(pack_surface(upper.positions, upper.triangles, upper.gradients))

    def set_plane(self, bounds, height: float | None) -> None:
        """A flat reference rectangle over bounds = (xmin, xmax, ymin, ymax) at `height`."""
        if height is None:
            self.plane.clear()
            return
        xmin, xmax, ymin, ymax = (float(v) for v in bounds)
        z = float(height)
        pos = np.array([[xmin, ymin, z], [xmax, ymin, z], [xmax, ymax, z], [xmin, ymax, z]])
        self.plane.upload(pack_surface(pos, np.array([[0, 1, 2], [0, 2, 3]]), np.zeros((4, 2))))

    def _segments(self, target: _Instances, segments, colors, widths) -> None:
        seg = np.asarray(segments, dtype=np.float64).reshape(-1, 2, 3)
        n = len(seg)
        if n == 0:
            target.update(np.zeros((0, _LINE_FLOATS)), np.zeros(3))
            return
        if not np.isfinite(seg).all():
            raise ValueError("3D segments must be finite")
        origin = upload_origin(seg.reshape(-1, 3))
        data = np.empty((n, _LINE_FLOATS), dtype=np.float32)
        data[:, 0:3] = seg[:, 0] - origin
        data[:, 3:6] = seg[:, 1] - origin
        data[:, 6:10] = rgba_rows(colors, n)
        w = scalar_rows(widths, n, "line widths")
        if (w < 0).any():
            raise ValueError("line widths must be >= 0 pixels")
        data[:, 10] = w
        target.update(data, origin)

    def set_creases(self, segments: np.ndarray, colors, widths=2.0) -> None:
        """(S, 2, 3) lifted crease segments, RGBA per segment (or one), widths in pixels."""
        self._segments(self.creases, segments, colors, widths)

    def set_boundary(self, segments: np.ndarray, colors=palette.BOUNDARY_COLOR, widths=2.5) -> None:
        self._segments(self.boundary, segments, colors, widths)

    def set_highlight(self, segments: np.ndarray | None, colors=(0.0, 0.0, 0.0, 1.0), widths=4.5):
        """Segments drawn over everything else on the surface (a hovered neuron's crease)."""
        if segments is None:
            segments = np.zeros((0, 2, 3))
        self._segments(self.highlight, segments, colors, widths)

    def _point_data(self, points, classes, hollow, radius, flags_extra: int) -> np.ndarray:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        n = len(pts)
        if not np.isfinite(pts).all():
            raise ValueError("3D points must be finite")
        cls = scalar_rows(classes, n, "point classes")
        if n and ((cls < 0) | (cls >= palette.MAX_CLASSES)).any():
            raise ValueError(f"point classes must lie in 0..{palette.MAX_CLASSES - 1}")
        rad = scalar_rows(radius, n, "point radii")
        if (rad <= 0).any():
            raise ValueError("point radii must be > 0 pixels")
        hol = scalar_rows(np.asarray(hollow, dtype=np.float32), n, "hollow flags") > 0
        data = np.empty((n, _POINT_FLOATS), dtype=np.float32)
        data[:, 3] = rad
        data[:, 4] = hol.astype(np.float32) + flags_extra
        data[:, 5] = cls
        return pts, data

    def set_points(self, points: np.ndarray, classes, hollow=False, radius=5.0) -> None:
        """(N, 3) points on the surface (FoldedSurface.lift_points), class ids, hollow flags."""
        pts, data = self._point_data(points, classes, hollow, radius, 0)
        origin = upload_origin(pts)
        data[:, 0:3] = pts - origin
        self.points.update(data, origin)

    def set_cursor(self, point: np.ndarray | None, radius: float = 6.0) -> None:
        """The linked cursor: one highlighted point (data coordinates), or None."""
        if point is None:
            self.cursor.update(np.zeros((0, _POINT_FLOATS)), np.zeros(3))
            return
        pts, data = self._point_data(point, 0, False, radius, 2)
        origin = pts[0].copy()
        data[:, 0:3] = pts - origin
        self.cursor.update(data, origin)

    # ------------------------------------------------------------------ drawing
    def _draw_surface(
        self,
        mesh: _SurfaceMesh,
        camera: OrbitCamera,
        frame: SceneFrame,
        style: Surface3DStyle,
        flat: np.ndarray | None,
        alpha: float,
        share: tuple[int, int] = (0, 1),
    ) -> None:
        if not mesh.n_indices:
            return
        p = self.surface_program(mesh.n_values, style.discretise, flat is not None)
        p.use()
        _set_mat4(p, "u_mvp", camera.view_projection())
        _set_mat4(p, "u_view", camera.view_matrix())
        _set_model(p, frame, mesh.origin)
        p.set_float("u_grad_scale", frame.gradient_scale)
        set_palette_uniforms(p, style)
        p.set_int("u_regions", int(style.regions))
        p.set_int("u_tint", int(style.tint))
        if flat is not None:
            p.set_vec3("u_flat_color", flat)
        p.set_float("u_alpha", alpha)
        p.set_vec3("u_key_dir", KEY_DIR)
        p.set_vec3("u_fill_dir", FILL_DIR)
        p.set_vec3("u_light", (AMBIENT, KEY_WEIGHT, FILL_WEIGHT))
        mesh.draw(share)

    def _draw_lines(
        self,
        batch: _Instances,
        camera: OrbitCamera,
        frame: SceneFrame,
        first: int = 0,
        count: int | None = None,
    ) -> None:
        if not batch.count or count == 0:
            return
        p = self.line_program
        p.use()
        _set_mat4(p, "u_mvp", camera.view_projection())
        _set_model(p, frame, batch.origin)
        p.set_vec2("u_viewport", camera.size)
        p.set_float("u_depth_bias", DEPTH_BIAS)
        batch.draw_strips(first, count)

    def _draw_points(self, batch: _Instances, camera: OrbitCamera, frame: SceneFrame) -> None:
        if not batch.count:
            return
        p = self.point_program
        p.use()
        _set_mat4(p, "u_view", camera.view_matrix())
        _set_mat4(p, "u_proj", camera.projection_matrix())
        _set_model(p, frame, batch.origin)
        p.set_vec2("u_viewport", camera.size)
        p.set_float("u_px_per_unit", camera.pixels_per_unit_at_unit_depth)
        p.set_vec3_array("u_class_colors", self.point_colors)
        p.set_vec4("u_outline", self.outline)
        p.set_float("u_outline_width", self.outline_width)
        p.set_vec3("u_key_dir", KEY_DIR)
        p.set_vec3("u_highlight", HIGHLIGHT_COLOR)
        batch.draw_strips()

    def draw(
        self,
        camera: OrbitCamera,
        frame: SceneFrame,
        style: Surface3DStyle | None = None,
        viewport: tuple[int, int, int, int] | None = None,
        part: tuple[int, int] | None = None,
    ) -> None:
        """Draw into the GL rectangle `viewport` (x, y, w, h from the bottom-left; default the
        camera's size at the origin), which must match camera.width x camera.height.

        `part` (k, n): the k-th of n shares of the draws, in the order of a whole draw, over
        what the earlier shares drew (sandbox.render.held_layer's parts): the surface with the
        first share of the creases (alone when n >= 3: its fill costs as much as a share; in
        two halves, a part each, when n >= SURFACE_HALVES_FROM: a big surface's first draw
        after its upload costs llvmpipe's one vertex thread 40-90 ms), a share of the creases
        each, the rest with the last."""
        k, n = part or (0, 1)
        first, last = k == 0, k == n - 1
        # the parts the surface has to itself (0: it shares the first with the creases)
        alone = 2 if n >= SURFACE_HALVES_FROM else 1 if n >= 3 else 0
        surface_parts = max(alone, 1)
        style = style or Surface3DStyle()
        vp = viewport or (0, 0, camera.width, camera.height)
        if (int(vp[2]), int(vp[3])) != camera.size:
            raise ValueError(f"viewport {vp} does not match the camera size {camera.size}")
        GL.glViewport(*(int(v) for v in vp))
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(*(int(v) for v in vp))
        GL.glDepthMask(GL.GL_TRUE)
        if first:
            GL.glClear(GL.GL_DEPTH_BUFFER_BIT)
        GL.glEnable(GL.GL_DEPTH_TEST)
        GL.glDepthFunc(GL.GL_LEQUAL)
        GL.glDisable(GL.GL_CULL_FACE)
        try:
            # Opaque: the surface pushed back a little so lines and points on it win.
            GL.glDisable(GL.GL_BLEND)
            GL.glEnable(GL.GL_POLYGON_OFFSET_FILL)
            GL.glPolygonOffset(1.0, 1.0)
            if k < surface_parts:
                share = (k, surface_parts)
                self._draw_surface(self.surface, camera, frame, style, None, 1.0, share)
            GL.glDisable(GL.GL_POLYGON_OFFSET_FILL)
            GL.glEnable(GL.GL_BLEND)
            GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
            m, j = n - alone, k - alone  # the creases' shares, this one's
            if style.creases and j >= 0:
                c = self.creases.count
                share = (c * j // m, c * (j + 1) // m)
                self._draw_lines(self.creases, camera, frame, share[0], share[1] - share[0])
            if not last:
                return
            if style.boundary:
                self._draw_lines(self.boundary, camera, frame)
            self._draw_lines(self.highlight, camera, frame)
            if style.points:
                self._draw_points(self.points, camera, frame)
            if style.cursor:
                self._draw_points(self.cursor, camera, frame)
            # Translucent sheets last, without writing depth, so everything shows through them.
            GL.glDepthMask(GL.GL_FALSE)
            if style.band:
                self._draw_surface(self.lower, camera, frame, style, BAND_COLOR, style.band_alpha)
                self._draw_surface(self.upper, camera, frame, style, BAND_COLOR, style.band_alpha)
            if style.plane:
                self._draw_surface(self.plane, camera, frame, style, PLANE_COLOR, style.plane_alpha)
        finally:
            GL.glDepthMask(GL.GL_TRUE)
            GL.glDisable(GL.GL_DEPTH_TEST)
            GL.glDisable(GL.GL_POLYGON_OFFSET_FILL)
            GL.glDisable(GL.GL_SCISSOR_TEST)

    def draw_cursor(
        self, camera: OrbitCamera, frame: SceneFrame, viewport: tuple[int, int, int, int]
    ) -> None:
        """The cursor's dot alone, over what is in `viewport` already (a held picture of the
        surface, which has no depth here: the dot shows even behind a fold)."""
        if not self.cursor.count:
            return
        GL.glViewport(*(int(v) for v in viewport))
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(*(int(v) for v in viewport))
        GL.glDisable(GL.GL_DEPTH_TEST)
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        try:
            self._draw_points(self.cursor, camera, frame)
        finally:
            GL.glDisable(GL.GL_SCISSOR_TEST)

    def delete(self) -> None:
        for obj in (
            self.surface,
            self.lower,
            self.upper,
            self.plane,
            self.creases,
            self.boundary,
            self.highlight,
            self.points,
            self.cursor,
        ):
            obj.delete()
        for program in (*self._surface_programs.values(), self.line_program, self.point_program):
            program.delete()
        self._surface_programs = {}
