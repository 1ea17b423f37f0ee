#version 330 core
// Data points standing on the surface: screen-aligned discs of a constant pixel radius, drawn as
// balls resting on the upper side (centre lifted by 1.5 radii along +z) with the depth of the
// ball's front, so the surface they stand on never cuts them, while folds in front, and the
// sheet itself when seen from below, hide them. CPU twin: surface3d.point_centers.
layout(location = 0) in vec3 a_center;  // relative to the upload origin, data units
layout(location = 1) in vec3 a_style;   // radius (px), flags (1 hollow, 2 highlight), class

uniform mat4 u_view;
uniform mat4 u_proj;
uniform vec3 u_model_offset;
uniform vec3 u_model_scale;
uniform vec2 u_viewport;
uniform float u_px_per_unit;  // pixels per scene unit at view depth 1

out vec2 v_px;
flat out vec2 v_center;
flat out float v_radius;
flat out float v_flags;
flat out int v_class;

void main() {
    vec4 base = u_view * vec4((a_center + u_model_offset) * u_model_scale, 1.0);
    float lift = 1.5 * a_style.x * max(-base.z, 1e-6) / u_px_per_unit;
    vec4 vc = base + u_view * vec4(0.0, 0.0, lift, 0.0);
    vec4 cc = u_proj * vc;
    v_radius = a_style.x;
    v_flags = a_style.y;
    v_class = int(a_style.z + 0.5);
    if (cc.w <= 1e-6) {
        v_px = vec2(0.0); v_center = vec2(0.0);
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        return;
    }
    float world_radius = a_style.x * (-vc.z) / u_px_per_unit;
    vec4 cf = u_proj * (vc + vec4(0.0, 0.0, world_radius, 0.0));
    vec2 half_vp = 0.5 * u_viewport;
    vec2 c = cc.xy / cc.w * half_vp;
    float r = a_style.x + 1.0;
    vec2 corner = vec2((gl_VertexID & 1) == 0 ? -r : r, gl_VertexID < 2 ? -r : r);
    vec2 p = c + corner;
    v_px = p;
    v_center = c;
    gl_Position = vec4(p / half_vp, clamp(cf.z / cf.w, -1.0, 1.0), 1.0);
}
