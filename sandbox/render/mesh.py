"""The exact partition mesh on the GPU, with its per-region data, shared by the field passes.

Input is what sandbox.geometry produces: `vertices` (V, 2) float64 world coordinates, duplicated
per region (each convex region fan-triangulated), `triangles` (T, 3) uint32, `region` (V,) int32
region id per vertex, `logits` (V, K) exact outputs at the vertices (K = 1 regression, 2..6
classes). Because the network is affine inside a region and every triangle lies in one region,
linear interpolation of the logits is exact at every pixel.

Per-region data lives in buffer textures indexed by the flat region id: colours (R, 3) and the
last-layer Laplace coefficients (mean logits (R, K, 3): c0 x + c1 y + c2; logit variances
(R, K, 6): c0 x^2 + c1 xy + c2 y^2 + c3 x + c4 y + c5). Positions are uploaded relative to an
origin chosen in float64 (by default the centre of the mesh's bounding box) and the Laplace
coefficients are re-expanded around that origin in float64, so float32 on the GPU is exact to a
fraction of a pixel at any zoom and any distance from (0, 0). Texel layout of the Laplace buffer,
per region r and class k, at texel 3 (r K + k): (m0, m1, m2, 0), (v0, v1, v2, v3), (v4, v5, 0, 0).

The arrays are checked and packed by sandbox.render.mesh_pack (numpy only: the geometry worker
packs a big partition's mesh beside the frame, `set_packed` uploads it). A mesh of at least
ORDERED_TRIANGLES triangles has them listed bottom to top (sandbox.render.band_order), so a
horizontal band of a held picture draws only the triangles that reach it (`draw(y_range)`).

A later 3D pass can draw the same vertex array (attribute locations 0-3 are fixed) and derive
heights from the logits in its vertex shader.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .band_order import HeightOrder
from .gl import GL, DynamicBuffer, TextureBuffer, attrib_ipointer, attrib_pointer
from .mesh_pack import FLOATS_PER_VERTEX, MAX_OUTPUTS, PackedMesh, pack_mesh


def recenter_affine(coef: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """(..., 3) coefficients of c0 x + c1 y + c2 -> same function of (x - ox, y - oy)."""
    c = np.asarray(coef, dtype=np.float64)
    out = c.copy()
    out[..., 2] = c[..., 0] * origin[0] + c[..., 1] * origin[1] + c[..., 2]
    return out


def recenter_quadratic(coef: np.ndarray, origin: tuple[float, float]) -> np.ndarray:
    """(..., 6) coefficients of c0 x^2 + c1 xy + c2 y^2 + c3 x + c4 y + c5, re-expanded in
    (u, v) = (x - ox, y - oy)."""
    c = np.asarray(coef, dtype=np.float64)
    ox, oy = origin
    out = c.copy()
    out[..., 3] = 2.0 * c[..., 0] * ox + c[..., 1] * oy + c[..., 3]
    out[..., 4] = c[..., 1] * ox + 2.0 * c[..., 2] * oy + c[..., 4]
    out[..., 5] = (
        c[..., 0] * ox * ox
        + c[..., 1] * ox * oy
        + c[..., 2] * oy * oy
        + c[..., 3] * ox
        + c[..., 4] * oy
        + c[..., 5]
    )
    return out


def pack_laplace(mean_coef: np.ndarray, var_coef: np.ndarray) -> np.ndarray:
    """(R, K, 3) + (R, K, 6) float64 -> (R * K * 3, 4) float32 texels (layout in the docstring)."""
    r, k = mean_coef.shape[:2]
    texels = np.zeros((r, k, 3, 4), dtype=np.float32)
    texels[:, :, 0, :3] = mean_coef
    texels[:, :, 1, :] = var_coef[..., :4]
    texels[:, :, 2, :2] = var_coef[..., 4:]
    return texels.reshape(-1, 4)


class GLMesh:
    """Vertex array, index buffer and per-region buffer textures of one partition mesh."""

    def __init__(self) -> None:
        self.vao = int(GL.glGenVertexArrays(1))
        self.vertex_buffer = DynamicBuffer(GL.GL_ARRAY_BUFFER)
        self.region_buffer = DynamicBuffer(GL.GL_ARRAY_BUFFER)
        self.index_buffer = DynamicBuffer(GL.GL_ELEMENT_ARRAY_BUFFER)
        self.region_colors = TextureBuffer(GL.GL_RGBA32F)
        self.laplace = TextureBuffer(GL.GL_RGBA32F)
        self.origin = (0.0, 0.0)
        self.n_vertices = 0
        self.n_indices = 0
        self.n_outputs = 0
        self.n_regions = 0  # 1 + the largest region id in the mesh
        self.height_order: HeightOrder | None = None  # triangles bottom to top (big meshes)
        self.has_region_colors = False
        self.has_laplace = False
        self._laplace_source: tuple[np.ndarray, np.ndarray] | None = None
        self._laplace_origin: tuple[float, float] | None = None

        GL.glBindVertexArray(self.vao)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.vertex_buffer.id)
        stride = 4 * FLOATS_PER_VERTEX
        attrib_pointer(0, 2, stride, 0)
        attrib_pointer(1, 4, stride, 8)
        attrib_pointer(2, 2, stride, 24)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.region_buffer.id)
        attrib_ipointer(3, 1, 4, 0, GL.GL_INT)
        GL.glBindBuffer(GL.GL_ELEMENT_ARRAY_BUFFER, self.index_buffer.id)
        GL.glBindVertexArray(0)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)
        # Sampling a buffer texture with no storage is undefined; start with one zero texel.
        self.region_colors.update(np.zeros((1, 4), np.float32))
        self.laplace.update(np.zeros((1, 4), np.float32))

    # ------------------------------------------------------------------ uploads
    def set_mesh(
        self,
        vertices: np.ndarray,
        triangles: np.ndarray,
        region: np.ndarray,
        logits: np.ndarray,
        origin: tuple[float, float] | None = None,
    ) -> None:
        """Upload a partition mesh (see the module docstring for the arrays).

        `origin` (world) is subtracted from every vertex in float64; pass the view centre, or
        leave None for the centre of the mesh's bounding box.
        """
        self.set_packed(pack_mesh(vertices, triangles, region, logits, origin))

    def set_packed(self, packed: PackedMesh) -> None:
        """Upload a mesh packed by `pack_mesh` (on any thread)."""
        self.origin = packed.origin
        self.height_order = packed.height_order
        self.vertex_buffer.update(packed.data)
        self.region_buffer.update(packed.region)
        # The element-array binding belongs to the VAO: update it with ours bound.
        GL.glBindVertexArray(self.vao)
        self.index_buffer.update(packed.indices)
        GL.glBindVertexArray(0)
        self.n_vertices = len(packed.data)
        self.n_indices = int(packed.indices.size)
        self.n_outputs = packed.n_outputs
        self.n_regions = packed.n_regions
        if self._laplace_source is not None and self._laplace_origin != self.origin:
            self._upload_laplace()

    @property
    def version(self) -> tuple:
        """Changes whenever anything this mesh draws from changes (its buffers' uploads)."""
        return (self.vertex_buffer.version, self.region_buffer.version,
                self.index_buffer.version, self.region_colors.buffer.version,
                self.laplace.buffer.version, self.has_region_colors, self.has_laplace)  # fmt: skip

    def set_region_colors(self, colors: np.ndarray) -> None:
        """(R, 3) or (R, 4) float colours in [0, 1], indexed by region id."""
        colors = np.asarray(colors, dtype=np.float32)
        if colors.ndim != 2 or colors.shape[1] not in (3, 4):
            raise ValueError(f"region colours must have shape (R, 3), got {colors.shape}")
        rgba = np.ones((len(colors), 4), dtype=np.float32)
        rgba[:, : colors.shape[1]] = colors
        self.region_colors.update(rgba)
        self.has_region_colors = len(colors) > 0

    def set_laplace(self, mean_coef: np.ndarray, var_coef: np.ndarray) -> None:
        """Per-region last-layer Laplace coefficients: mean (R, K, 3), variance (R, K, 6)."""
        mean_coef = np.asarray(mean_coef, dtype=np.float64)
        var_coef = np.asarray(var_coef, dtype=np.float64)
        if mean_coef.ndim != 3 or mean_coef.shape[2] != 3:
            raise ValueError(f"Laplace mean coefficients must be (R, K, 3), got {mean_coef.shape}")
        if var_coef.shape != mean_coef.shape[:2] + (6,):
            raise ValueError(
                f"Laplace variance coefficients must be {mean_coef.shape[:2] + (6,)}, "
                f"got {var_coef.shape}"
            )
        if not 2 <= mean_coef.shape[1] <= MAX_OUTPUTS:
            raise ValueError(
                f"the Laplace view needs 2 to {MAX_OUTPUTS} classes, got {mean_coef.shape[1]}"
            )
        self._laplace_source = (mean_coef, var_coef)
        self._upload_laplace()

    def _upload_laplace(self) -> None:
        assert self._laplace_source is not None
        mean_coef, var_coef = self._laplace_source
        texels = pack_laplace(
            recenter_affine(mean_coef, self.origin), recenter_quadratic(var_coef, self.origin)
        )
        self.laplace.update(texels)
        self._laplace_origin = self.origin
        self.has_laplace = len(mean_coef) > 0

    @property
    def laplace_classes(self) -> int:
        return 0 if self._laplace_source is None else int(self._laplace_source[0].shape[1])

    @property
    def laplace_regions(self) -> int:
        return 0 if self._laplace_source is None else int(self._laplace_source[0].shape[0])

    # ------------------------------------------------------------------ drawing
    def draw(self, y_range: tuple[float, float] | None = None) -> None:
        """Issue the draw call; the caller has set up the program and its uniforms.

        `y_range` (world, low to high): only the triangles that may reach it, where the mesh is
        ordered by height (every triangle otherwise)."""
        if not self.n_indices:
            return
        GL.glBindVertexArray(self.vao)
        if y_range is None or self.height_order is None:
            GL.glDrawElements(GL.GL_TRIANGLES, self.n_indices, GL.GL_UNSIGNED_INT, None)
        else:
            for first, count in self.height_order.runs(*y_range):
                offset = ctypes.c_void_p(4 * 3 * first)
                GL.glDrawElements(GL.GL_TRIANGLES, 3 * count, GL.GL_UNSIGNED_INT, offset)
        GL.glBindVertexArray(0)

    def delete(self) -> None:
        for obj in (
            self.vertex_buffer,
            self.region_buffer,
            self.index_buffer,
            self.region_colors,
            self.laplace,
        ):
            obj.delete()
        if self.vao:
            GL.glDeleteVertexArrays(1, [self.vao])
            self.vao = 0
