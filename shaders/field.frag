#version 330 core
// Per-pixel nonlinear part of the field: softmax / probit / grey ramp of exact affine inputs.
#include "palette.glsl"

in vec2 v_pos;
in vec4 v_logits0;
in vec2 v_logits1;
flat in int v_region;

uniform int u_mode;            // 0 network output, 1 Laplace probit, 2 region colours only
uniform int u_k;               // outputs: 1 regression, 2..6 classes
uniform bool u_regions;        // base colour: region pastel instead of the background
uniform bool u_discretise;
uniform vec3 u_background;
uniform samplerBuffer u_region_colors;  // one RGBA texel per region
uniform samplerBuffer u_laplace;        // 3 texels per class per region, see mesh.py

out vec4 frag_color;

void main() {
    vec3 base = u_regions ? texelFetch(u_region_colors, v_region).rgb : u_background;
    if (u_mode == 2) {
        frag_color = vec4(base, 1.0);
        return;
    }
    float l[6] = float[6](v_logits0.x, v_logits0.y, v_logits0.z, v_logits0.w,
                          v_logits1.x, v_logits1.y);
    if (u_k == 1) {
        frag_color = vec4(regression_color(base, l[0], u_discretise), 1.0);
        return;
    }
    if (u_mode == 1) {
        // Mean logit affine and logit variance quadratic in the position, per region; both
        // re-centred on the mesh origin on the CPU so float32 keeps them exact when zoomed in.
        float x = v_pos.x;
        float y = v_pos.y;
        int base_texel = v_region * 3 * u_k;
        for (int k = 0; k < u_k; ++k) {
            vec4 m = texelFetch(u_laplace, base_texel + 3 * k);
            vec4 q0 = texelFetch(u_laplace, base_texel + 3 * k + 1);
            vec4 q1 = texelFetch(u_laplace, base_texel + 3 * k + 2);
            float mean = m.x * x + m.y * y + m.z;
            float var = q0.x * x * x + q0.y * x * y + q0.z * y * y + q0.w * x + q1.x * y + q1.y;
            l[k] = mean / sqrt(1.0 + PROBIT_SCALE * max(var, 0.0));
        }
    }
    frag_color = vec4(class_field_color(base, l, u_k, u_discretise), 1.0);
}
