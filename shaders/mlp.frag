#version 330 core
// Per-pixel forward pass of the whole network: the fallback when the exact mesh would have too
// many regions. Weights live in an RGBA32F buffer texture as 4x4 blocks: for output group o
// (outputs 4o..4o+3) and input group j, 4 texels at off + 4 (o * n_in4 + j) hold the columns
// W[4o:4o+4, 4j + c], c = 0..3 (zero padded); after the blocks, n_out4 texels of biases. So a
// layer is a few mat4 * vec4 products per pixel, with no per-component indexing. The first
// layer's biases already include W1 * centre (added in float64 on the CPU), so the input is the
// position relative to the view centre and stays exact when zoomed in.
// Compiled per variant (sandbox/render/mlp_field.py) with K (outputs), DISCRETISE and MAX_VEC4
// (ceil(widest layer / 4)) defined. The hidden activation is u_activation (the ids of
// sandbox/nn/activations.py; 0 ReLU); a layer with u_residual set adds its input.
// A small network's variant defines FORWARD instead: the same products written out for its
// shape (straight-line statements, every index a constant, ACTIVATION its activation's id),
// ending in OUT0 and OUT1. A software rasteriser runs it 3-24 times faster than the loops
// (their run-time array indices keep the values in memory, not registers).
#include "palette.glsl"

#define MAX_LAYERS 9

in vec2 v_pos;

uniform samplerBuffer u_weights;
uniform int u_layers;               // weight layers, output included
uniform int u_in[MAX_LAYERS];
uniform int u_out[MAX_LAYERS];
uniform int u_offset[MAX_LAYERS];   // first texel of each layer
uniform vec3 u_background;
uniform int u_activation;
uniform float u_slope;              // leaky ReLU's negative slope
uniform int u_residual[MAX_LAYERS];

// erf to 1.5e-7 (Abramowitz and Stegun 7.1.26): GLSL has none; float32 rounding is larger
vec4 erf4(vec4 x) {
    vec4 s = sign(x);
    vec4 a = abs(x);
    vec4 t = 1.0 / (1.0 + 0.3275911 * a);
    vec4 y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                    + 0.254829592) * t * exp(-a * a);
    return s * y;
}

#ifndef ACTIVATION
#define ACTIVATION u_activation
#endif

vec4 activate(vec4 x) {
    if (ACTIVATION == 0) return max(x, vec4(0.0));
    if (ACTIVATION == 1) return max(x, vec4(0.0)) + u_slope * min(x, vec4(0.0));
    if (ACTIVATION == 2) return abs(x);
    if (ACTIVATION == 3) return clamp(x, vec4(-1.0), vec4(1.0));
    if (ACTIVATION == 4) return x;
    if (ACTIVATION == 5) return tanh(clamp(x, vec4(-40.0), vec4(40.0)));
    if (ACTIVATION == 6) return 1.0 / (1.0 + exp(-clamp(x, vec4(-80.0), vec4(80.0))));
    if (ACTIVATION == 7) return 0.5 * x * (1.0 + erf4(x * 0.70710678118654752));
    return sin(x);
}

out vec4 frag_color;

// the weights of texels t .. t + 3 as a matrix (one 4x4 block, columns in texels)
mat4 weight_block(int t) {
    return mat4(texelFetch(u_weights, t), texelFetch(u_weights, t + 1),
                texelFetch(u_weights, t + 2), texelFetch(u_weights, t + 3));
}

void main() {
#ifdef FORWARD
    FORWARD
    vec4 out0 = OUT0;
    vec4 out1 = OUT1;
#else
    vec4 h[MAX_VEC4];
    vec4 z[MAX_VEC4];
    for (int j = 0; j < MAX_VEC4; ++j) h[j] = vec4(0.0);
    h[0] = vec4(v_pos, 0.0, 0.0);
    for (int layer = 0; layer < u_layers; ++layer) {
        int n_in4 = (u_in[layer] + 3) / 4;
        int n_out4 = (u_out[layer] + 3) / 4;
        int off = u_offset[layer];
        int bias_off = off + 4 * n_out4 * n_in4;
        bool last = layer == u_layers - 1;
        for (int o = 0; o < n_out4; ++o) {
            vec4 acc = texelFetch(u_weights, bias_off + o);
            int first = off + 4 * o * n_in4;
            for (int j = 0; j < n_in4; ++j) {
                acc += weight_block(first + 4 * j) * h[j];
            }
            if (last) {
                z[o] = acc;
            } else {
                vec4 a = activate(acc);
                z[o] = u_residual[layer] != 0 ? h[o] + a : a;
            }
        }
        for (int j = 0; j < n_out4; ++j) h[j] = z[j];
        for (int j = n_out4; j < MAX_VEC4; ++j) h[j] = vec4(0.0);
    }
    vec4 out0 = h[0];
    vec4 out1 = MAX_VEC4 > 1 ? h[1 % MAX_VEC4] : vec4(0.0);
#endif
#if K == 1
    frag_color = vec4(regression_color(u_background, out0.x, DISCRETISE != 0), 1.0);
#else
    float all_l[8] = float[8](out0.x, out0.y, out0.z, out0.w, out1.x, out1.y, 0.0, 0.0);
    float l[K];
    for (int k = 0; k < K; ++k) l[k] = all_l[k];
    frag_color = vec4(class_field_color(u_background, l, DISCRETISE != 0), 1.0);
#endif
}
