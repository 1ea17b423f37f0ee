#version 330 core
// Anti-aliased segments as instanced quads: each instance is one segment, expanded in pixel
// space so the width is constant at any zoom. The quad reaches half a pixel past the width: as far
// as the fragment shader's edge ramp gives any coverage (pixel centres beyond it get none).
layout(location = 0) in vec4 a_segment;  // endpoints relative to the origin, world units
layout(location = 1) in vec4 a_color;    // straight (not premultiplied) RGBA
layout(location = 2) in float a_width;   // pixels

uniform vec2 u_offset;
uniform float u_ppu;
uniform vec2 u_viewport;

out vec2 v_px;
flat out vec2 v_a;
flat out vec2 v_b;
flat out vec4 v_color;
flat out float v_half_width;

void main() {
    vec2 half_vp = 0.5 * u_viewport;
    // Pixel coordinates with the origin at the viewport centre, y up.
    vec2 a = (a_segment.xy + u_offset) * u_ppu;
    vec2 b = (a_segment.zw + u_offset) * u_ppu;
    float half_width = 0.5 * a_width;
    float r = half_width + 0.5;
    vec2 d = b - a;
    float len = length(d);
    vec2 dir = len > 1e-6 ? d / len : vec2(1.0, 0.0);
    vec2 normal = vec2(-dir.y, dir.x);
    float along = (gl_VertexID & 1) == 0 ? -r : len + r;
    float side = gl_VertexID < 2 ? -r : r;
    vec2 p = a + dir * along + normal * side;
    v_px = p;
    v_a = a;
    v_b = b;
    v_color = a_color;
    v_half_width = half_width;
    gl_Position = vec4(p / half_vp, 0.0, 1.0);
}
