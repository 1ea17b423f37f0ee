"""Context creation errors, shader loading errors (file and line), read-back and PNGs."""

from __future__ import annotations

import numpy as np
import pygame
import pytest
from gl_util import gl_fixture, gl_session_fixture  # noqa: F401

from sandbox.render import context
from sandbox.render.context import GLContextError, GLInfo, create_window
from sandbox.render.shaders import ShaderError, assemble, load_program, shader_dir
from sandbox.render.target import read_pixels, save_png

pytestmark = pytest.mark.gl

VERT = """#version 330 core
void main() {
    gl_Position = vec4(0.0, 0.0, 0.0, 1.0);
}
"""


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return tmp_path / name


def test_compile_error_names_file_and_line(gl, tmp_path):
    write(tmp_path, "ok.vert", VERT)
    frag = "#version 330 core\nout vec4 c;\n\nvoid main() {\n    c = vec4(1.0);\n"
    frag += "    c.x = undefined_thing;\n}\n"
    write(tmp_path, "broken.frag", frag)
    with pytest.raises(ShaderError) as info:
        load_program("ok.vert", "broken.frag", directory=tmp_path)
    err = info.value
    assert err.path.name == "broken.frag" and err.line == 6
    assert "broken.frag:6:" in str(err)


def test_error_inside_an_include_points_at_the_included_file(gl, tmp_path):
    write(tmp_path, "ok.vert", VERT)
    write(tmp_path, "lib.glsl", "// helpers\nfloat twice(float x) {\n    return 2.0 * x +;\n}\n")
    frag = '#version 330 core\n#include "lib.glsl"\nout vec4 c;\n'
    frag += "void main() { c = vec4(twice(0.5)); }\n"
    write(tmp_path, "main.frag", frag)
    with pytest.raises(ShaderError) as info:
        load_program("ok.vert", "main.frag", directory=tmp_path, defines={"EXTRA": 1})
    assert info.value.path.name == "lib.glsl" and info.value.line == 3
    assert "lib.glsl:3:" in str(info.value)


def test_link_error_and_missing_file(gl, tmp_path):
    write(tmp_path, "ok.vert", VERT)
    # Declared and used but never defined: compiles, fails to link.
    frag = "#version 330 core\nout vec4 c;\nfloat nowhere(float x);\n"
    frag += "void main() { c = vec4(nowhere(1.0)); }\n"
    write(tmp_path, "link.frag", frag)
    with pytest.raises(ShaderError, match="link"):
        load_program("ok.vert", "link.frag", directory=tmp_path)
    with pytest.raises(ShaderError, match="cannot read shader"):
        load_program("ok.vert", "absent.frag", directory=tmp_path)


def test_assemble_maps_every_line_back(tmp_path):
    write(tmp_path, "a.glsl", "line a1\nline a2\n")
    write(tmp_path, "m.frag", '#version 330 core\n#include "a.glsl"\nline m3\n#include "a.glsl"\n')
    src = assemble(tmp_path / "m.frag", {"K": 3})
    lines = src.text.splitlines()
    assert lines == ["#version 330 core", "#define K 3", "line a1", "line a2", "line m3"]
    assert [(p.name, n) for p, n in src.origins] == [
        ("m.frag", 1),
        ("m.frag", 0),
        ("a.glsl", 1),
        ("a.glsl", 2),
        ("m.frag", 3),
    ]


def test_all_project_shaders_compile(gl):
    for vert, frag in [
        ("lines.vert", "lines.frag"),
        ("points.vert", "points.frag"),
        ("overlay.vert", "overlay.frag"),
    ]:
        load_program(vert, frag).delete()
    # Every variant of the field and per-pixel network shaders.
    for mode in (0, 1, 2):
        for k in (1, 2, 6):
            if mode == 1 and k == 1:
                continue
            for flags in ((0, 0), (1, 0), (0, 1), (1, 1)):
                defines = {"MODE": mode, "K": k, "REGIONS": flags[0], "DISCRETISE": flags[1]}
                load_program("field.vert", "field.frag", defines=defines).delete()
    for k, width4 in ((1, 1), (2, 4), (6, 16)):
        defines = {"K": k, "DISCRETISE": 1, "MAX_VEC4": width4}
        load_program("fullscreen.vert", "mlp.frag", defines=defines).delete()
    assert (shader_dir() / "palette.glsl").is_file()


def test_no_window_gives_a_readable_error(gl, monkeypatch):
    def refuse(*args, **kwargs):
        raise pygame.error("Couldn't find matching GLX visual")

    monkeypatch.setattr(pygame.display, "set_mode", refuse)
    with pytest.raises(GLContextError) as info:
        create_window((64, 64))
    message = str(info.value)
    assert "GLX visual" in message and "OpenGL 3.3" in message and "Traceback" not in message


def test_old_opengl_gives_a_readable_error(gl, monkeypatch):
    monkeypatch.setattr(pygame.display, "set_mode", lambda *a, **k: pygame.Surface((1, 1)))
    old = GLInfo("2.1 Mesa 9.0", "Ancient GPU", "Vendor", "1.20", 2, 1)
    monkeypatch.setattr(context, "gl_info", lambda: old)
    with pytest.raises(GLContextError, match=r"OpenGL 2\.1 .*Ancient GPU.*older than 3\.3"):
        create_window((64, 64))


def test_context_is_core_3_3_or_newer(gl):
    info = context.gl_info()
    assert (info.major, info.minor) >= (3, 3)


def test_read_pixels_orientation_and_png(gl, tmp_path):
    from sandbox.render.gl import GL

    w, h = gl.size
    GL.glClearColor(0.0, 0.0, 1.0, 1.0)
    GL.glClear(GL.GL_COLOR_BUFFER_BIT)
    # Paint the bottom rows red in GL's bottom-up coordinates.
    GL.glEnable(GL.GL_SCISSOR_TEST)
    GL.glScissor(0, 0, w, 10)
    GL.glClearColor(1.0, 0.0, 0.0, 1.0)
    GL.glClear(GL.GL_COLOR_BUFFER_BIT)
    GL.glDisable(GL.GL_SCISSOR_TEST)
    img = read_pixels((w, h), alpha=True)
    assert img.shape == (h, w, 4)
    # Top-down: the red rows are the last ones of the array.
    assert (img[-10:, :, 0] == 255).all() and (img[:-10, :, 2] == 255).all()
    path = save_png(tmp_path / "frame.png", img[..., :3])
    from PIL import Image

    back = np.asarray(Image.open(path))
    np.testing.assert_array_equal(back, img[..., :3])
    with pytest.raises(ValueError, match="uint8"):
        save_png(tmp_path / "bad.png", img.astype(float))


def test_fixture_recovers_after_another_window(gl_session):
    """A test elsewhere may replace the window; the next `gl` test gets a working context."""
    import gl_util

    create_window((100, 80), hidden=True, vsync=False, resizable=False)
    assert not gl_util._context_usable(gl_session)
    before = gl_session.generation
    fixture = gl_util.gl_fixture.__wrapped__(gl_session)
    session = next(fixture)
    assert session.generation == before + 1 and gl_util._context_usable(session)
    assert tuple(pygame.display.get_window_size()) == session.size
    next(fixture, None)
