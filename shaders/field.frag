#version 330 core
// Per-pixel nonlinear part of the field: softmax / probit / grey ramp of exact affine inputs.
// Compiled once per variant (sandbox/render/field.py) with these defines, so a software
// rasteriser runs no untaken branch and every loop over classes unrolls:
//   MODE 0 network output, 1 Laplace probit, 2 region colours only
//   K outputs (1 regression, 2..6 classes); REGIONS 1: region pastel as the base colour;
//   DISCRETISE 1: hard decision / banded ramp.
#include "palette.glsl"

in vec2 v_pos;
in vec4 v_logits0;
in vec2 v_logits1;
flat in int v_region;

uniform vec3 u_background;
uniform samplerBuffer u_region_colors;  // one RGBA texel per region
uniform samplerBuffer u_laplace;        // 3 texels per class per region, see mesh.py

out vec4 frag_color;

void main() {
#if REGIONS || MODE == 2
    vec3 base = texelFetch(u_region_colors, v_region).rgb;
#else
    vec3 base = u_background;
#endif
#if MODE == 2
    frag_color = vec4(base, 1.0);
#elif K == 1
    frag_color = vec4(regression_color(base, v_logits0.x, DISCRETISE != 0), 1.0);
#else
    float all_l[6] = float[6](v_logits0.x, v_logits0.y, v_logits0.z, v_logits0.w,
                              v_logits1.x, v_logits1.y);
    float l[K];
    for (int k = 0; k < K; ++k) l[k] = all_l[k];
#if MODE == 1
    // Mean logit affine and logit variance quadratic in the position, per region; both
    // re-centred on the mesh origin on the CPU so float32 keeps them exact when zoomed in.
    float x = v_pos.x;
    float y = v_pos.y;
    vec4 q = vec4(x * x, x * y, y * y, x);
    int base_texel = v_region * 3 * K;
    for (int k = 0; k < K; ++k) {
        vec4 m = texelFetch(u_laplace, base_texel + 3 * k);
        vec4 q0 = texelFetch(u_laplace, base_texel + 3 * k + 1);
        vec4 q1 = texelFetch(u_laplace, base_texel + 3 * k + 2);
        float mean = m.x * x + m.y * y + m.z;
        float var = dot(q0, q) + q1.x * y + q1.y;
        l[k] = mean / sqrt(1.0 + PROBIT_SCALE * max(var, 0.0));
    }
#endif
    frag_color = vec4(class_field_color(base, l, DISCRETISE != 0), 1.0);
#endif
}
