#version 330 core
// Per-pixel forward pass of the whole network: the fallback when the exact mesh would have too
// many regions. Weights live in an RGBA32F buffer texture; each layer stores its rows padded to
// a multiple of 4 (ceil(n_in / 4) texels per row) followed by its biases (ceil(n_out / 4)
// texels). The first layer's biases already include W1 * centre (added in float64 on the CPU),
// so the input is the position relative to the view centre and stays exact when zoomed in.
#include "palette.glsl"

#define MAX_LAYERS 9
#define MAX_VEC4 16

in vec2 v_pos;

uniform samplerBuffer u_weights;
uniform int u_layers;               // weight layers, output included
uniform int u_in[MAX_LAYERS];
uniform int u_out[MAX_LAYERS];
uniform int u_offset[MAX_LAYERS];   // first texel of each layer
uniform int u_k;
uniform bool u_discretise;
uniform vec3 u_background;

out vec4 frag_color;

void main() {
    vec4 h[MAX_VEC4];
    vec4 z[MAX_VEC4];
    for (int j = 0; j < MAX_VEC4; ++j) h[j] = vec4(0.0);
    h[0] = vec4(v_pos, 0.0, 0.0);
    for (int layer = 0; layer < u_layers; ++layer) {
        int n_in4 = (u_in[layer] + 3) / 4;
        int n_out = u_out[layer];
        int off = u_offset[layer];
        int bias_off = off + n_out * n_in4;
        bool last = layer == u_layers - 1;
        for (int j = 0; j < MAX_VEC4; ++j) z[j] = vec4(0.0);
        for (int i = 0; i < n_out; ++i) {
            float s = texelFetch(u_weights, bias_off + i / 4)[i % 4];
            int row = off + i * n_in4;
            for (int j = 0; j < n_in4; ++j) s += dot(texelFetch(u_weights, row + j), h[j]);
            z[i / 4][i % 4] = last ? s : max(s, 0.0);
        }
        for (int j = 0; j < MAX_VEC4; ++j) h[j] = z[j];
    }
    float l[6] = float[6](h[0].x, h[0].y, h[0].z, h[0].w, h[1].x, h[1].y);
    vec3 color = u_k == 1 ? regression_color(u_background, l[0], u_discretise)
                          : class_field_color(u_background, l, u_k, u_discretise);
    frag_color = vec4(color, 1.0);
}
