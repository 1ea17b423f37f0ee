"""Making the pygame window with an OpenGL 3.3 core context, and saying clearly when we cannot.

`create_window` is the single entry point: the app calls it once, the test fixtures call it with
SDL_VIDEODRIVER=offscreen and PYOPENGL_PLATFORM=egl for a headless context. Every way this can go
wrong (no display, a driver older than 3.3, PyOpenGL unable to find EGL or GLX) ends in a
`GLContextError` whose message says what happened and what to try, so the app can show it as
text instead of a traceback.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

REQUIRED_VERSION = (3, 3)

_HINTS = (
    "OpenGL 3.3 is needed. Try: updating the graphics driver; on Debian/Ubuntu installing "
    "libgl1-mesa-dri libegl1 libegl-mesa0 (software rendering works); without a display, "
    "setting SDL_VIDEODRIVER=offscreen and PYOPENGL_PLATFORM=egl."
)


class GLContextError(RuntimeError):
    """No usable OpenGL 3.3 core context could be created; the message is meant for users."""


@dataclass(frozen=True)
class GLInfo:
    version: str
    renderer: str
    vendor: str
    glsl: str
    major: int
    minor: int

    def __str__(self) -> str:
        return f"OpenGL {self.version} on {self.renderer} ({self.vendor}), GLSL {self.glsl}"


def _parse_version(text: str) -> tuple[int, int]:
    m = re.match(r"\s*(?:OpenGL ES\s+)?(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def gl_info() -> GLInfo:
    """Version and renderer strings of the current context."""
    from .gl import GL

    def text(name: int) -> str:
        value = GL.glGetString(name)
        return value.decode("utf-8", "replace") if value else "?"

    version = text(GL.GL_VERSION)
    major, minor = _parse_version(version)
    return GLInfo(
        version=version,
        renderer=text(GL.GL_RENDERER),
        vendor=text(GL.GL_VENDOR),
        glsl=text(GL.GL_SHADING_LANGUAGE_VERSION),
        major=major,
        minor=minor,
    )


def create_window(
    size: tuple[int, int] = (1280, 800),
    title: str = "Neural Origami",
    *,
    resizable: bool = True,
    vsync: bool = True,
    hidden: bool = False,
):
    """Open the pygame window with an OpenGL 3.3 core context and return its display Surface.

    Raises GLContextError (readable message) when no such context can be made. With
    SDL_VIDEODRIVER=offscreen (tests, CI) the window is invisible but the context is real.
    """
    # PyOpenGL picks its platform on first import; SDL without X11 needs EGL.
    if os.environ.get("SDL_VIDEODRIVER", "") in ("offscreen", "wayland"):
        os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    try:
        import pygame
    except ImportError as exc:  # pragma: no cover - pygame-ce is a hard dependency
        raise GLContextError(f"pygame-ce is not installed ({exc}).") from exc

    width, height = int(size[0]), int(size[1])
    if width < 1 or height < 1:
        raise ValueError(f"window size {size} is invalid; both sides must be >= 1")
    try:
        pygame.display.init()
    except pygame.error as exc:
        raise GLContextError(f"No display could be opened: {exc}. {_HINTS}") from exc

    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MAJOR_VERSION, REQUIRED_VERSION[0])
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_MINOR_VERSION, REQUIRED_VERSION[1])
    pygame.display.gl_set_attribute(pygame.GL_CONTEXT_PROFILE_MASK, pygame.GL_CONTEXT_PROFILE_CORE)
    # macOS hands out a core context only when it is also forward compatible.
    pygame.display.gl_set_attribute(
        pygame.GL_CONTEXT_FLAGS, pygame.GL_CONTEXT_FORWARD_COMPATIBLE_FLAG
    )
    pygame.display.gl_set_attribute(pygame.GL_DOUBLEBUFFER, 1)
    pygame.display.gl_set_attribute(pygame.GL_DEPTH_SIZE, 24)
    pygame.display.gl_set_attribute(pygame.GL_ALPHA_SIZE, 8)

    flags = pygame.OPENGL | pygame.DOUBLEBUF
    if resizable:
        flags |= pygame.RESIZABLE
    if hidden:
        flags |= pygame.HIDDEN
    try:
        surface = pygame.display.set_mode((width, height), flags, vsync=1 if vsync else 0)
    except pygame.error as exc:
        if vsync:
            # Some drivers refuse vsync outright; a window without it is better than none.
            try:
                surface = pygame.display.set_mode((width, height), flags, vsync=0)
            except pygame.error as exc2:
                raise GLContextError(
                    f"The OpenGL window could not be created: {exc2}. {_HINTS}"
                ) from exc2
        else:
            raise GLContextError(
                f"The OpenGL window could not be created: {exc}. {_HINTS}"
            ) from exc
    pygame.display.set_caption(title)

    platform_name, current = "?", True
    try:
        from OpenGL import platform as gl_platform

        platform_name = type(gl_platform.PLATFORM).__name__
        current = gl_platform.GetCurrentContext()
    except Exception:  # noqa: BLE001 - a platform without this query: skip the check
        pass
    if not current:
        # PyOpenGL chose its platform (GLX, EGL, WGL...) when first imported; if that does not
        # match SDL's, GL calls may work but buffer and pointer calls fail later.
        raise GLContextError(
            f"The window opened but PyOpenGL ({platform_name}) cannot see its OpenGL context. "
            "PYOPENGL_PLATFORM must be set before OpenGL is first imported: 'egl' with "
            "SDL_VIDEODRIVER=offscreen or wayland, unset (GLX) on X11. " + _HINTS
        )
    try:
        info = gl_info()
    except Exception as exc:  # PyOpenGL raises many types when its platform is wrong
        raise GLContextError(
            f"A window opened but OpenGL calls fail ({type(exc).__name__}: {exc}). {_HINTS}"
        ) from exc
    if (info.major, info.minor) < REQUIRED_VERSION:
        raise GLContextError(
            f"This system offers OpenGL {info.version} on {info.renderer}, older than 3.3. "
            + _HINTS
        )
    return surface
