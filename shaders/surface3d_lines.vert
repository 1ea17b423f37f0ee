#version 330 core
// 3D segments (creases, boundary) as screen-space quads with a constant width in pixels, drawn
// by lines.frag. Depth is the endpoints' own NDC depth (affine along a projected segment, so the
// interpolation is exact) minus a small bias, so lines on the surface win the depth test.
layout(location = 0) in vec3 a_p0;     // relative to the upload origin, data units
layout(location = 1) in vec3 a_p1;
layout(location = 2) in vec4 a_color;  // straight RGBA
layout(location = 3) in float a_width; // pixels

uniform mat4 u_mvp;
uniform vec3 u_model_offset;
uniform vec3 u_model_scale;
uniform vec2 u_viewport;
uniform float u_depth_bias;

out vec2 v_px;
flat out vec2 v_a;
flat out vec2 v_b;
flat out vec4 v_color;
flat out float v_half_width;

void main() {
    vec4 c0 = u_mvp * vec4((a_p0 + u_model_offset) * u_model_scale, 1.0);
    vec4 c1 = u_mvp * vec4((a_p1 + u_model_offset) * u_model_scale, 1.0);
    v_color = a_color;
    v_half_width = 0.5 * a_width;
    if (c0.w <= 1e-6 || c1.w <= 1e-6) {
        // Behind the camera: put the whole quad outside the clip volume.
        v_px = vec2(0.0); v_a = vec2(0.0); v_b = vec2(0.0);
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);
        return;
    }
    vec3 n0 = c0.xyz / c0.w;
    vec3 n1 = c1.xyz / c1.w;
    vec2 half_vp = 0.5 * u_viewport;
    vec2 a = n0.xy * half_vp;
    vec2 b = n1.xy * half_vp;
    float r = v_half_width + 1.0;
    vec2 d = b - a;
    float len = length(d);
    vec2 dir = len > 1e-6 ? d / len : vec2(1.0, 0.0);
    vec2 normal = vec2(-dir.y, dir.x);
    bool start = (gl_VertexID & 1) == 0;
    float along = start ? -r : len + r;
    float side = gl_VertexID < 2 ? -r : r;
    vec2 p = a + dir * along + normal * side;
    v_px = p;
    v_a = a;
    v_b = b;
    float z = start ? n0.z : n1.z;
    gl_Position = vec4(p / half_vp, z - u_depth_bias, 1.0);
}
