#version 330 core
// Paper lit by two soft directional lights fixed to the viewer, so every fold reads as a change
// of brightness from any angle. Both faces are lit (the underside flips its normal). The colour
// is the 2D field's mapping of the vertex values (palette.glsl) over the region's pastel, or a
// flat colour (the translucent band and reference plane). CPU twin: surface3d.shade_colors.
#include "palette.glsl"

in vec3 v_normal;
in vec4 v_values0;
in vec2 v_values1;
in vec3 v_base;

uniform mat4 u_view;           // scene -> view (rotation part used for normals)
uniform bool u_regions;        // region pastel as the base colour, else the background
uniform bool u_tint;           // mix the class colour / value ramp over the base
uniform vec3 u_background;
uniform vec3 u_flat_color;
uniform float u_alpha;
uniform vec3 u_key_dir;        // view space, unit
uniform vec3 u_fill_dir;
uniform vec3 u_light;          // ambient, key weight, fill weight

out vec4 frag_color;

void main() {
    vec3 n = normalize(v_normal);
    if (!gl_FrontFacing) n = -n;
    vec3 nv = normalize(mat3(u_view) * n);
    float shade = u_light.x + u_light.y * max(dot(nv, u_key_dir), 0.0)
                + u_light.z * max(dot(nv, u_fill_dir), 0.0);
#if FLAT
    vec3 color = u_flat_color;
#else
    vec3 base = u_regions ? v_base : u_background;
    vec3 color = base;
    if (u_tint) {
#if K == 1
        color = regression_color(base, v_values0.x, DISCRETISE != 0);
#else
        float all_l[6] = float[6](v_values0.x, v_values0.y, v_values0.z, v_values0.w,
                                  v_values1.x, v_values1.y);
        float l[K];
        for (int k = 0; k < K; ++k) l[k] = all_l[k];
        color = class_field_color(base, l, DISCRETISE != 0);
#endif
    }
#endif
    color = clamp(color * shade, 0.0, 1.0);
    frag_color = vec4(color * u_alpha, u_alpha);
}
