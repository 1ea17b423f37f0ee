#version 330 core
// The exact partition mesh: positions relative to the mesh origin, exact logits per vertex
// (affine inside each region, so interpolation is exact), and the region id.
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_logits0;
layout(location = 2) in vec2 a_logits1;
layout(location = 3) in int a_region;

uniform vec2 u_offset;    // mesh origin - view centre, formed in float64 on the CPU
uniform float u_ppu;      // pixels per world unit
uniform vec2 u_viewport;  // viewport size in pixels

out vec2 v_pos;
out vec4 v_logits0;
out vec2 v_logits1;
flat out int v_region;

void main() {
    v_pos = a_pos;
    v_logits0 = a_logits0;
    v_logits1 = a_logits1;
    v_region = a_region;
    gl_Position = vec4((a_pos + u_offset) * u_ppu / (0.5 * u_viewport), 0.0, 1.0);
}
