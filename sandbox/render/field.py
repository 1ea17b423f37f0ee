"""The field pass: the network's output, its linear regions or its Laplace confidence, per pixel.

It draws a `GLMesh` (the exact partition) with shaders/field.vert + field.frag. Modes:
- OUTPUT: class colours shaded by confidence (K >= 2) or the regression grey ramp (K = 1);
- LAPLACE: the same class mapping applied to the probit-scaled Laplace logits;
- REGIONS: each region flat-filled with its colour.
With `regions=True` in OUTPUT or LAPLACE modes, the region pastels replace the background as
the base colour the field is mixed over, so the regions and the field show in one pass.
`discretise` gives the hard decision (classes) or bands of the grey ramp (regression). The CPU
reference of every mapping is sandbox.render.palette.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from . import palette
from .camera import View2D
from .gl import GL
from .mesh import GLMesh
from .shaders import Program, load_program


class FieldMode(StrEnum):
    OUTPUT = "output"
    LAPLACE = "laplace"
    REGIONS = "regions"


_MODE_CODE = {FieldMode.OUTPUT: 0, FieldMode.LAPLACE: 1, FieldMode.REGIONS: 2}


@dataclass
class FieldStyle:
    """How the field is coloured; every field has a CPU twin in sandbox.render.palette."""

    mode: FieldMode = FieldMode.OUTPUT
    regions: bool = False
    discretise: bool = False
    strength: float = palette.DEFAULT_STRENGTH
    value_range: tuple[float, float] = (-1.0, 1.0)
    levels: int = palette.DEFAULT_LEVELS
    background: np.ndarray = field(default_factory=lambda: palette.BACKGROUND.copy())

    def __post_init__(self) -> None:
        try:
            self.mode = FieldMode(self.mode)
        except ValueError:
            allowed = ", ".join(m.value for m in FieldMode)
            raise ValueError(f"field mode {self.mode!r} is unknown; allowed: {allowed}") from None
        if not self.value_range[1] > self.value_range[0]:
            raise ValueError(f"value range {self.value_range} must have high > low")
        if self.levels < 1:
            raise ValueError(f"levels is {self.levels}; it must be >= 1")


def set_palette_uniforms(program: Program, style: FieldStyle) -> None:
    """The uniforms of shaders/palette.glsl, and the background."""
    program.set_vec3_array("u_class_colors", palette.CLASS_COLORS)
    program.set_vec3("u_ramp_low", palette.RAMP_LOW)
    program.set_vec3("u_ramp_high", palette.RAMP_HIGH)
    program.set_float("u_strength", style.strength)
    program.set_int("u_levels", style.levels)
    program.set_vec2("u_value_range", style.value_range)
    program.set_vec3("u_background", style.background)


def set_view_uniforms(program: Program, view: View2D, origin: tuple[float, float]) -> None:
    """u_offset, u_ppu, u_viewport for data uploaded relative to `origin`."""
    offset, _ = view.relative_scale(origin)
    program.set_vec2("u_offset", offset)
    program.set_float("u_ppu", view.pixels_per_unit)
    program.set_vec2("u_viewport", (view.width, view.height))


class FieldPass:
    """Draws a GLMesh as the output field, the Laplace field or flat region colours.

    Each combination of mode, output count, regions and discretise is its own compiled program
    (made on first use, then cached): on a software rasteriser a branch on a uniform still costs
    every pixel, and specialised loops over the classes unroll.
    """

    def __init__(self) -> None:
        self._programs: dict[tuple[int, int, bool, bool], Program] = {}

    def program(self, style: FieldStyle, n_outputs: int) -> Program:
        mode = _MODE_CODE[style.mode]
        regions = bool(style.regions or style.mode is FieldMode.REGIONS)
        if style.mode is FieldMode.REGIONS:
            n_outputs, discretise = 1, False  # the variant ignores both
        else:
            discretise = bool(style.discretise)
        key = (mode, int(n_outputs), regions, discretise)
        program = self._programs.get(key)
        if program is None:
            defines = {
                "MODE": mode,
                "K": int(n_outputs),
                "REGIONS": int(regions),
                "DISCRETISE": int(discretise),
            }
            program = load_program("field.vert", "field.frag", defines=defines)
            program.use()
            program.set_int("u_region_colors", 0)
            program.set_int("u_laplace", 1)
            self._programs[key] = program
        return program

    def draw(
        self,
        view: View2D,
        mesh: GLMesh,
        style: FieldStyle | None = None,
        y_range: tuple[float, float] | None = None,
    ) -> None:
        """Draw the mesh into the current viewport (which must be view.width x view.height).

        `y_range` (world): the band being painted; only the triangles that may reach it are
        drawn (GLMesh.draw), the band widened by a pixel."""
        style = style or FieldStyle()
        if not mesh.n_indices:
            return
        if (style.regions or style.mode is FieldMode.REGIONS) and (
            not mesh.has_region_colors or mesh.region_colors.n_texels < mesh.n_regions
        ):
            raise ValueError(
                f"region colours cover {mesh.region_colors.n_texels} regions but the mesh has "
                f"{mesh.n_regions}; call set_region_colors first"
            )
        if style.mode is FieldMode.LAPLACE:
            if mesh.n_outputs < 2:
                raise ValueError("the Laplace view needs a classification network (2+ outputs)")
            if mesh.laplace_classes != mesh.n_outputs or mesh.laplace_regions < mesh.n_regions:
                raise ValueError(
                    f"Laplace coefficients cover {mesh.laplace_regions} regions x "
                    f"{mesh.laplace_classes} classes; the mesh has {mesh.n_regions} x "
                    f"{mesh.n_outputs}; call set_laplace first"
                )
        p = self.program(style, mesh.n_outputs)
        p.use()
        set_view_uniforms(p, view, mesh.origin)
        set_palette_uniforms(p, style)
        mesh.region_colors.bind(0)
        mesh.laplace.bind(1)
        GL.glDisable(GL.GL_BLEND)
        GL.glDisable(GL.GL_DEPTH_TEST)
        if y_range is not None:
            pixel = 1.0 / view.pixels_per_unit
            y_range = (y_range[0] - pixel, y_range[1] + pixel)
        mesh.draw(y_range)

    def delete(self) -> None:
        for program in self._programs.values():
            program.delete()
        self._programs.clear()
