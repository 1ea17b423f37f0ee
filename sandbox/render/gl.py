"""The one place that imports PyOpenGL, and the small GL object wrappers the passes share.

PyOpenGL calls glGetError after every function by default, which costs more than many of the
calls themselves; this module turns that off before OpenGL.GL is first imported unless
NEURAL_ORIGAMI_GL_DEBUG is set (the test fixtures set it and also check glGetError after each
test). It also chooses PyOpenGL's EGL platform when SDL draws without X11 (offscreen, Wayland),
because otherwise PyOpenGL looks for GLX and fails at the first buffer call.

`DynamicBuffer` keeps one buffer name for the life of a pass (so vertex-array objects stay valid)
and re-specifies its storage on every update (orphaning), so a mesh that changes each frame
never waits on the previous frame. `TextureBuffer` is a float buffer texture read with
texelFetch by an integer index: per-region data without any per-region Python loop.
`InstanceBatch` is a vertex array over one such buffer of per-instance float rows (the 2D line
and point batches, the 3D view's lines and points), drawn as four-vertex strips, all of them or
a range (`draw_strips`).
"""

from __future__ import annotations

import ctypes
import os
import sys

import numpy as np

if "OpenGL.GL" not in sys.modules:
    import OpenGL

    _debug = os.environ.get("NEURAL_ORIGAMI_GL_DEBUG", "") not in ("", "0")
    OpenGL.ERROR_CHECKING = _debug
    OpenGL.ERROR_LOGGING = _debug
    _driver = os.environ.get("SDL_VIDEODRIVER", "")
    _headless_linux = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if "PYOPENGL_PLATFORM" not in os.environ and (
        _driver in ("offscreen", "wayland") or _headless_linux
    ):
        os.environ["PYOPENGL_PLATFORM"] = "egl"

from OpenGL import GL  # noqa: E402

__all__ = ["GL", "GLError", "DynamicBuffer", "TextureBuffer", "check_error", "gl_error_names"]


class GLError(RuntimeError):
    """An OpenGL error flag was set (only checked in debug and test code)."""


_ERROR_NAMES = {
    GL.GL_INVALID_ENUM: "GL_INVALID_ENUM",
    GL.GL_INVALID_VALUE: "GL_INVALID_VALUE",
    GL.GL_INVALID_OPERATION: "GL_INVALID_OPERATION",
    GL.GL_INVALID_FRAMEBUFFER_OPERATION: "GL_INVALID_FRAMEBUFFER_OPERATION",
    GL.GL_OUT_OF_MEMORY: "GL_OUT_OF_MEMORY",
}


def gl_error_names() -> list[str]:
    """Drain the GL error flags and return their names (empty when all is well)."""
    names = []
    for _ in range(16):
        err = GL.glGetError()
        if err == GL.GL_NO_ERROR:
            break
        names.append(_ERROR_NAMES.get(err, hex(err)))
    return names


def check_error(where: str = "") -> None:
    """Raise GLError if any GL error flag is set. Debug and test use only: it stalls."""
    names = gl_error_names()
    if names:
        raise GLError(f"OpenGL error {', '.join(names)}" + (f" after {where}" if where else ""))


class DynamicBuffer:
    """A GL buffer whose contents are replaced wholesale, with storage orphaned on each update
    (`orphan`: for a buffer drawn every frame, the driver hands out fresh storage while the GPU
    still reads the old). Without `orphan` an update writes into the storage it has when the
    data fits: for a buffer drawn only into held pictures, which nothing reads any more by the
    next upload, where fresh storage is costly (llvmpipe's 36 MB for 8 x 64's 3D surface: 33 ms
    of new pages each time, a write into the old 2.7 ms)."""

    def __init__(self, target: int = GL.GL_ARRAY_BUFFER, orphan: bool = True) -> None:
        self.target = target
        self.orphan = orphan
        self.id = int(GL.glGenBuffers(1))
        self.capacity = 0
        self.nbytes = 0
        self.version = 0  # bumped by each update: what a held picture of it was painted from

    def update(self, data: np.ndarray) -> None:
        self.version += 1
        data = np.ascontiguousarray(data)
        nbytes = int(data.nbytes)
        GL.glBindBuffer(self.target, self.id)
        grow = nbytes > self.capacity
        if grow:
            # Grow with headroom so a mesh that gains a few regions does not reallocate.
            self.capacity = max(nbytes + nbytes // 2, 256)
        if grow or self.orphan:
            # Orphan: the driver may hand out fresh storage while the GPU still reads the old.
            GL.glBufferData(self.target, self.capacity, None, GL.GL_DYNAMIC_DRAW)
        if nbytes:
            GL.glBufferSubData(self.target, 0, nbytes, data)
        self.nbytes = nbytes

    def delete(self) -> None:
        if self.id:
            GL.glDeleteBuffers(1, [self.id])
            self.id = 0


class TextureBuffer:
    """A buffer texture (samplerBuffer in GLSL) of RGBA32F or R32F texels."""

    def __init__(self, internal_format: int = GL.GL_RGBA32F) -> None:
        self.internal_format = internal_format
        self.buffer = DynamicBuffer(GL.GL_TEXTURE_BUFFER)
        self.texture = int(GL.glGenTextures(1))
        self.n_texels = 0
        self._attached_capacity = -1

    def update(self, data: np.ndarray) -> None:
        """Upload float32 data; RGBA32F expects (n, 4), R32F (n,)."""
        data = np.ascontiguousarray(data, dtype=np.float32)
        if data.size == 0:
            # A zero-sized buffer texture is invalid; keep one dummy texel.
            data = np.zeros(4 if self.internal_format == GL.GL_RGBA32F else 1, np.float32)
        self.buffer.update(data)
        self.n_texels = data.size // (4 if self.internal_format == GL.GL_RGBA32F else 1)
        if self.buffer.capacity != self._attached_capacity:
            GL.glBindTexture(GL.GL_TEXTURE_BUFFER, self.texture)
            GL.glTexBuffer(GL.GL_TEXTURE_BUFFER, self.internal_format, self.buffer.id)
            GL.glBindTexture(GL.GL_TEXTURE_BUFFER, 0)
            self._attached_capacity = self.buffer.capacity

    def bind(self, unit: int) -> None:
        GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
        GL.glBindTexture(GL.GL_TEXTURE_BUFFER, self.texture)

    def delete(self) -> None:
        self.buffer.delete()
        if self.texture:
            GL.glDeleteTextures(1, [self.texture])
            self.texture = 0


def attrib_pointer(
    index: int, size: int, stride: int, offset: int, gl_type: int = GL.GL_FLOAT
) -> None:
    """Float vertex attribute `index` from the bound GL_ARRAY_BUFFER."""
    GL.glEnableVertexAttribArray(index)
    GL.glVertexAttribPointer(index, size, gl_type, GL.GL_FALSE, stride, ctypes.c_void_p(offset))


def attrib_ipointer(index: int, size: int, stride: int, offset: int, gl_type: int) -> None:
    """Integer vertex attribute `index` (read as int in GLSL, never converted to float)."""
    GL.glEnableVertexAttribArray(index)
    GL.glVertexAttribIPointer(index, size, gl_type, stride, ctypes.c_void_p(offset))


class InstanceBatch:
    """A vertex array over one DynamicBuffer of per-instance float32 rows; `count` rows are live.

    `attribs` lists (location, floats, byte offset) of each attribute in a row of `floats`
    floats; every attribute advances once per instance. `origin` is the world point subtracted
    (in float64) from the uploaded positions.
    """

    def __init__(self, floats: int, attribs: tuple[tuple[int, int, int], ...]) -> None:
        self.vao = int(GL.glGenVertexArrays(1))
        self.buffer = DynamicBuffer(GL.GL_ARRAY_BUFFER)
        self.count = 0
        self.origin = (0.0, 0.0)
        self._rows: np.ndarray | None = None  # the rows in the buffer (a clear keeps them there)
        self._floats, self._attribs = floats, attribs
        GL.glBindVertexArray(self.vao)
        self._point_at(0)
        for loc, _, _ in attribs:
            GL.glVertexAttribDivisor(loc, 1)
        GL.glBindVertexArray(0)

    def _point_at(self, first: int) -> None:
        """The bound vertex array's attributes from row `first` on (GL 3.3 has no base
        instance)."""
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.buffer.id)
        stride = 4 * self._floats
        for loc, size, offset in self._attribs:
            attrib_pointer(loc, size, stride, first * stride + offset)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, 0)

    def draw_strips(self, first: int = 0, count: int | None = None) -> None:
        """Rows first .. first + count - 1 (default: all from `first`) as instanced four-vertex
        triangle strips; the caller has set up the program."""
        n = self.count - first if count is None else min(count, self.count - first)
        if n <= 0:
            return
        GL.glBindVertexArray(self.vao)
        if first:
            self._point_at(first)
        GL.glDrawArraysInstanced(GL.GL_TRIANGLE_STRIP, 0, 4, n)
        if first:
            self._point_at(0)
        GL.glBindVertexArray(0)

    def _upload(self, data: np.ndarray) -> None:
        """Make `data` the live rows; rows equal to those in the buffer are not sent again
        (views that set the same lines every frame keep their version, so stay held)."""
        same = self._rows is not None and self._rows.shape == data.shape
        if not (same and np.array_equal(self._rows, data)):
            self.buffer.update(data)
            self._rows = data
        self.count = len(data)

    def clear(self) -> None:
        self.count = 0

    @property
    def version(self) -> tuple:
        """Changes whenever what `draw` would show changes (new rows, a clear, another origin)."""
        return (self.buffer.version, self.count, self.origin)

    def delete(self) -> None:
        self.buffer.delete()
        if self.vao:
            GL.glDeleteVertexArrays(1, [self.vao])
            self.vao = 0
