#version 330 core
// Data points as instanced screen-aligned quads; size in pixels, independent of the zoom.
layout(location = 0) in vec2 a_center;  // relative to the origin, world units
layout(location = 1) in vec3 a_style;   // radius (px), hollow flag (0/1), class id

uniform vec2 u_offset;
uniform float u_ppu;
uniform vec2 u_viewport;

out vec2 v_px;
flat out vec2 v_center;
flat out float v_radius;
flat out float v_hollow;
flat out int v_class;

void main() {
    vec2 c = (a_center + u_offset) * u_ppu;
    float r = a_style.x + 1.0;
    vec2 corner = vec2((gl_VertexID & 1) == 0 ? -r : r, gl_VertexID < 2 ? -r : r);
    vec2 p = c + corner;
    v_px = p;
    v_center = c;
    v_radius = a_style.x;
    v_hollow = a_style.y;
    v_class = int(a_style.z + 0.5);
    gl_Position = vec4(p / (0.5 * u_viewport), 0.0, 1.0);
}
