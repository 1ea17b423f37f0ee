#version 330 core
// One triangle covering the viewport; v_pos is the world position relative to the view centre.
uniform float u_ppu;
uniform vec2 u_viewport;
out vec2 v_pos;

void main() {
    vec2 ndc = vec2(gl_VertexID == 1 ? 3.0 : -1.0, gl_VertexID == 2 ? 3.0 : -1.0);
    v_pos = ndc * (0.5 * u_viewport) / u_ppu;
    gl_Position = vec4(ndc, 0.0, 1.0);
}
