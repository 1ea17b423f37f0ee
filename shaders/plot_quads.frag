#version 330 core
// Premultiplied output: fills are their colour, text is the tint times the glyph coverage,
// images are their own premultiplied texels times the tint's alpha.
in vec2 v_uv;
flat in vec4 v_color;
flat in int v_kind;

uniform sampler2D u_text;
uniform sampler2D u_images;

out vec4 frag_color;

void main() {
    if (v_kind == 0) {
        frag_color = vec4(v_color.rgb * v_color.a, v_color.a);
    } else if (v_kind == 1) {
        float a = texture(u_text, v_uv).a * v_color.a;
        frag_color = vec4(v_color.rgb * a, a);
    } else {
        frag_color = texture(u_images, v_uv) * v_color.a;
    }
}
