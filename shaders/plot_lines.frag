#version 330 core
// Coverage from the exact distance to the segment (round caps, 1 px edge ramp); dashes cut by
// the arc length along the polyline (phase carries it from segment to segment).
in vec2 v_px;
flat in vec2 v_a;
flat in vec2 v_b;
flat in vec4 v_color;
flat in vec4 v_style;

out vec4 frag_color;

void main() {
    vec2 pa = v_px - v_a;
    vec2 ba = v_b - v_a;
    float len2 = max(dot(ba, ba), 1e-12);
    float h = clamp(dot(pa, ba) / len2, 0.0, 1.0);
    float dist = length(pa - ba * h);
    float coverage = clamp(0.5 * v_style.x + 0.5 - dist, 0.0, 1.0);
    if (v_style.y > 0.0) {
        float s = v_style.w + dot(pa, ba) / sqrt(len2);
        float m = mod(s, v_style.y + v_style.z);
        coverage *= clamp(min(m, v_style.y - m) + 0.5, 0.0, 1.0);
    }
    if (coverage <= 0.0) discard;
    float a = v_color.a * coverage;
    frag_color = vec4(v_color.rgb * a, a);
}
