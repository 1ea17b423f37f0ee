#version 330 core
// Exact texel copy of a texture as large as the window, pixel for pixel at the same place.
uniform sampler2D u_texture;
out vec4 frag_color;

void main() {
    frag_color = texelFetch(u_texture, ivec2(gl_FragCoord.xy), 0);
}
