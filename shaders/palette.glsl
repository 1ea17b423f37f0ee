// Colour mappings shared by the field and per-pixel network shaders.
// The CPU twin is sandbox/render/palette.py; the pixel tests compare the two, keep them in step.
// The including shader defines K (number of outputs), so loops over classes unroll.

uniform vec3 u_class_colors[6];
uniform vec3 u_ramp_low;
uniform vec3 u_ramp_high;
uniform float u_strength;     // how far a pixel moves from its base colour towards the target
uniform int u_levels;         // bands of the discretised regression ramp
uniform vec2 u_value_range;   // regression values mapped to the ends of the grey ramp

const float PROBIT_SCALE = 0.39269908169872414;  // pi / 8

// Argmax class colour, shaded by confidence rescaled so that chance (1/K) is 0, certainty 1.
vec3 class_field_color(vec3 base, float l[K], bool discretise) {
    int best = 0;
    float top = l[0];
    for (int k = 1; k < K; ++k) {
        if (l[k] > top) { top = l[k]; best = k; }
    }
    float t = 1.0;
    if (!discretise) {
        // exp(top - top) = 1, so the top probability is 1 / sum.
        float s = 0.0;
        for (int k = 0; k < K; ++k) s += exp(l[k] - top);
        const float chance = 1.0 / float(K);
        t = clamp((1.0 / s - chance) / (1.0 - chance), 0.0, 1.0);
    }
    return mix(base, u_class_colors[best], u_strength * t);
}

vec3 regression_color(vec3 base, float y, bool discretise) {
    float t = clamp((y - u_value_range.x) / (u_value_range.y - u_value_range.x), 0.0, 1.0);
    if (discretise) {
        float n = float(u_levels);
        t = (min(floor(t * n), n - 1.0) + 0.5) / n;
    }
    return mix(base, mix(u_ramp_low, u_ramp_high, t), u_strength);
}
