#version 330 core
// Exact texel copy of the premultiplied UI surface (no filtering), blended with
// GL_ONE, GL_ONE_MINUS_SRC_ALPHA.
in vec2 v_texel;
uniform sampler2D u_texture;
out vec4 frag_color;

void main() {
    frag_color = texelFetch(u_texture, ivec2(v_texel), 0);
}
