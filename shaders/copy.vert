#version 330 core
// One triangle covering the viewport (the held layer's copy, sandbox/render/held_layer.py).
void main() {
    vec2 ndc = vec2(gl_VertexID == 1 ? 3.0 : -1.0, gl_VertexID == 2 ? 3.0 : -1.0);
    gl_Position = vec4(ndc, 0.0, 1.0);
}
