"""Loading GLSL programs from the shaders/ folder, with errors that name the file and line.

Shader files are plain GLSL 3.30 with one extension: a line `#include "name.glsl"` pastes that
file from the same folder (once per program). The loader keeps a table from every line of the
assembled source back to (file, line), so when the driver's log says "0:57(12): error ...", the
`ShaderError` says "palette.glsl:12: error ...". The common log formats are understood: Mesa
("0:57(12): error"), NVIDIA ("0(57) : error") and AMD/Intel ("ERROR: 0:57: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .gl import GL

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')
_LOG_LINE = (
    re.compile(r"^\s*(?:ERROR|WARNING):\s*\d+:(\d+):\s*(.*)$"),  # AMD, Intel
    re.compile(r"^\s*\d+:(\d+)\(\d+\):\s*(.*)$"),  # Mesa
    re.compile(r"^\s*\d+\((\d+)\)\s*:\s*(.*)$"),  # NVIDIA
)


class ShaderError(RuntimeError):
    """A shader failed to compile or a program to link; `path` and `line` locate the first error."""

    def __init__(self, message: str, path: Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line


@dataclass
class Source:
    """Assembled GLSL text plus, for each of its lines, the (file, line) it came from."""

    text: str
    origins: list[tuple[Path, int]]

    def locate(self, line: int) -> tuple[Path, int] | None:
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return None


def shader_dir() -> Path:
    from sandbox.resources import resource_dir

    return resource_dir("shaders")


def assemble(path: Path, defines: dict[str, object] | None = None) -> Source:
    """Read `path`, expand #include lines and insert #defines right after #version."""
    path = Path(path)
    lines: list[str] = []
    origins: list[tuple[Path, int]] = []
    seen: set[Path] = set()

    def add(file: Path, stack: tuple[Path, ...]) -> None:
        if file in stack:
            raise ShaderError(f"{file.name}: #include cycle through {file.name}", file, None)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            where = f" (included from {stack[-1].name})" if stack else ""
            raise ShaderError(f"cannot read shader {file}{where}: {exc}", file, None) from exc
        seen.add(file)
        for number, raw in enumerate(text.splitlines(), start=1):
            m = _INCLUDE.match(raw)
            if m:
                child = file.parent / m.group(1)
                if child not in seen:
                    add(child, (*stack, file))
                continue
            lines.append(raw)
            origins.append((file, number))

    add(path, ())
    if defines:
        at = next((i + 1 for i, s in enumerate(lines) if s.lstrip().startswith("#version")), 0)
        extra = [f"#define {k} {v}" for k, v in defines.items()]
        lines[at:at] = extra
        origins[at:at] = [(path, 0)] * len(extra)
    return Source("\n".join(lines) + "\n", origins)


def _describe_log(log: str, source: Source, fallback: Path) -> tuple[str, Path, int | None]:
    """Rewrite driver log lines to file:line form; return the text and the first location."""
    out = []
    first: tuple[Path, int] | None = None
    for raw in log.strip().splitlines():
        for pattern in _LOG_LINE:
            m = pattern.match(raw)
            if m:
                where = source.locate(int(m.group(1)))
                if where is not None:
                    first = first or where
                    out.append(f"{where[0].name}:{where[1]}: {m.group(2)}")
                    break
        else:
            out.append(raw)
    path, line = first if first else (fallback, None)
    return "\n".join(out), path, line


def compile_shader(path: Path, stage: int, defines: dict[str, object] | None = None) -> int:
    source = assemble(path, defines)
    shader = GL.glCreateShader(stage)
    GL.glShaderSource(shader, source.text)
    GL.glCompileShader(shader)
    if not GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS):
        log = GL.glGetShaderInfoLog(shader)
        log = log.decode("utf-8", "replace") if isinstance(log, bytes) else str(log)
        GL.glDeleteShader(shader)
        text, where, line = _describe_log(log, source, path)
        raise ShaderError(f"shader {path.name} failed to compile:\n{text}", where, line)
    return int(shader)


class Program:
    """A linked GLSL program with cached uniform locations and small typed setters."""

    def __init__(self, program_id: int, name: str) -> None:
        self.id = program_id
        self.name = name
        self._locations: dict[str, int] = {}

    def use(self) -> None:
        GL.glUseProgram(self.id)

    def location(self, name: str) -> int:
        loc = self._locations.get(name)
        if loc is None:
            loc = int(GL.glGetUniformLocation(self.id, name))
            self._locations[name] = loc
        return loc

    # Setters ignore uniforms the compiler optimised away (location -1), which is legal GL.
    def set_int(self, name: str, value: int) -> None:
        GL.glUniform1i(self.location(name), int(value))

    def set_float(self, name: str, value: float) -> None:
        GL.glUniform1f(self.location(name), float(value))

    def set_vec2(self, name: str, value) -> None:
        v = np.asarray(value, dtype=np.float32).reshape(2)
        GL.glUniform2f(self.location(name), float(v[0]), float(v[1]))

    def set_vec3(self, name: str, value) -> None:
        v = np.asarray(value, dtype=np.float32).reshape(3)
        GL.glUniform3f(self.location(name), float(v[0]), float(v[1]), float(v[2]))

    def set_vec4(self, name: str, value) -> None:
        v = np.asarray(value, dtype=np.float32).reshape(4)
        GL.glUniform4f(self.location(name), *(float(x) for x in v))

    def set_vec3_array(self, name: str, values) -> None:
        v = np.ascontiguousarray(values, dtype=np.float32).reshape(-1, 3)
        GL.glUniform3fv(self.location(name), len(v), v)

    def set_int_array(self, name: str, values) -> None:
        v = np.ascontiguousarray(values, dtype=np.int32).reshape(-1)
        GL.glUniform1iv(self.location(name), len(v), v)

    def delete(self) -> None:
        if self.id:
            GL.glDeleteProgram(self.id)
            self.id = 0


def load_program(
    vertex: str,
    fragment: str,
    *,
    directory: Path | None = None,
    defines: dict[str, object] | None = None,
) -> Program:
    """Compile and link `directory/vertex` + `directory/fragment` (default: the shaders/ folder).

    Raises ShaderError naming the file and line of the first error in the driver's log.
    """
    folder = Path(directory) if directory is not None else shader_dir()
    vs = compile_shader(folder / vertex, GL.GL_VERTEX_SHADER, defines)
    try:
        fs = compile_shader(folder / fragment, GL.GL_FRAGMENT_SHADER, defines)
    except ShaderError:
        GL.glDeleteShader(vs)
        raise
    program = GL.glCreateProgram()
    GL.glAttachShader(program, vs)
    GL.glAttachShader(program, fs)
    GL.glLinkProgram(program)
    GL.glDeleteShader(vs)
    GL.glDeleteShader(fs)
    if not GL.glGetProgramiv(program, GL.GL_LINK_STATUS):
        log = GL.glGetProgramInfoLog(program)
        log = log.decode("utf-8", "replace") if isinstance(log, bytes) else str(log)
        GL.glDeleteProgram(program)
        raise ShaderError(
            f"program {vertex} + {fragment} failed to link:\n{log.strip()}", folder / fragment
        )
    return Program(int(program), f"{vertex}+{fragment}")
