#version 330 core
// Axis-aligned pixel rectangles: solid fills, text from the label atlas (alpha = coverage,
// tinted), and images (thumbnails) from the image atlas.
layout(location = 0) in vec4 a_rect;   // x0 y0 x1 y1, pixels, y down
layout(location = 1) in vec4 a_uv;     // u0 v0 u1 v1 in the chosen atlas
layout(location = 2) in vec4 a_color;  // straight RGBA (tint or fill)
layout(location = 3) in float a_kind;  // 0 fill, 1 text (atlas 0), 2 image (atlas 1)

uniform vec2 u_viewport;

out vec2 v_uv;
flat out vec4 v_color;
flat out int v_kind;

void main() {
    vec2 corner = vec2((gl_VertexID & 1) == 0 ? 0.0 : 1.0, gl_VertexID < 2 ? 0.0 : 1.0);
    vec2 p = mix(a_rect.xy, a_rect.zw, corner);
    v_uv = mix(a_uv.xy, a_uv.zw, corner);
    v_color = a_color;
    v_kind = int(a_kind + 0.5);
    gl_Position = vec4(p.x / u_viewport.x * 2.0 - 1.0, 1.0 - p.y / u_viewport.y * 2.0, 0.0, 1.0);
}
