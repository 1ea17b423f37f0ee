#version 330 core
// The folded-paper surface: positions relative to an upload origin (float64 on the CPU), the
// height gradient per vertex (the facet's own on exact surfaces), colour values (logits or the
// value, exact at the vertices) and the region's base colour.
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec2 a_grad;
layout(location = 2) in vec4 a_values0;
layout(location = 3) in vec2 a_values1;
layout(location = 4) in vec3 a_base;

uniform mat4 u_mvp;           // scene -> clip
uniform vec3 u_model_offset;  // upload origin - scene frame centre (data units)
uniform vec3 u_model_scale;   // data -> scene scale per axis
uniform float u_grad_scale;   // scene slope per data slope

out vec3 v_normal;            // scene space, not normalised
out vec4 v_values0;
out vec2 v_values1;
out vec3 v_base;

void main() {
    vec3 scene = (a_pos + u_model_offset) * u_model_scale;
    v_normal = vec3(-a_grad * u_grad_scale, 1.0);
    v_values0 = a_values0;
    v_values1 = a_values1;
    v_base = a_base;
    gl_Position = u_mvp * vec4(scene, 1.0);
}
