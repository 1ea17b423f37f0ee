#version 330 core
// Coverage from the exact distance to the segment (round caps): full inside the width, a 1 px
// linear ramp at the edge. Output is premultiplied (blend GL_ONE, GL_ONE_MINUS_SRC_ALPHA).
in vec2 v_px;
flat in vec2 v_a;
flat in vec2 v_b;
flat in vec4 v_color;
flat in float v_half_width;

out vec4 frag_color;

void main() {
    vec2 pa = v_px - v_a;
    vec2 ba = v_b - v_a;
    float h = clamp(dot(pa, ba) / max(dot(ba, ba), 1e-12), 0.0, 1.0);
    float dist = length(pa - ba * h);
    float coverage = clamp(v_half_width + 0.5 - dist, 0.0, 1.0);
    if (coverage <= 0.0) discard;
    float a = v_color.a * coverage;
    frag_color = vec4(v_color.rgb * a, a);
}
