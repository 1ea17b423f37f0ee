#version 330 core
// Pixel-space segments for plots and diagrams: endpoints in viewport pixels (origin top-left,
// y down), expanded into a quad with a 1 px margin for the smooth edge (as lines.vert).
layout(location = 0) in vec4 a_segment;  // x0 y0 x1 y1, pixels
layout(location = 1) in vec4 a_color;    // straight RGBA
layout(location = 2) in vec4 a_style;    // width, dash on, dash off (px; on = 0: solid), phase

uniform vec2 u_viewport;

out vec2 v_px;
flat out vec2 v_a;
flat out vec2 v_b;
flat out vec4 v_color;
flat out vec4 v_style;

void main() {
    vec2 a = a_segment.xy;
    vec2 b = a_segment.zw;
    float r = 0.5 * a_style.x + 1.0;
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
    v_style = a_style;
    gl_Position = vec4(p.x / u_viewport.x * 2.0 - 1.0, 1.0 - p.y / u_viewport.y * 2.0, 0.0, 1.0);
}
