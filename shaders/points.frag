#version 330 core
// A filled point: class-coloured disc with a dark outline. A hollow (test) point: the same
// outline around a thick class-coloured ring whose inside is a translucent light fill, so it
// reads as an open circle on any field colour. Edges are 1 px smooth ramps; output is
// premultiplied (blend GL_ONE, GL_ONE_MINUS_SRC_ALPHA).
in vec2 v_px;
flat in vec2 v_center;
flat in float v_radius;
flat in float v_hollow;
flat in int v_class;

uniform vec3 u_class_colors[6];
uniform vec4 u_outline;         // RGBA
uniform float u_outline_width;  // px
uniform float u_ring_fraction;  // class ring of hollow points, as a fraction of the radius
uniform vec4 u_hollow_fill;     // RGBA inside hollow points

out vec4 frag_color;

// 1 where d < edge, 0 where d > edge, linear over one pixel.
float inside(float d, float edge) { return clamp(edge + 0.5 - d, 0.0, 1.0); }

void main() {
    float d = length(v_px - v_center);
    float r = v_radius;
    float w = min(u_outline_width, 0.5 * r);
    float coverage = inside(d, r);
    if (coverage <= 0.0) discard;
    float body = inside(d, r - w);  // inside the outline
    vec3 rgb = u_class_colors[v_class];
    float a = 1.0;
    if (v_hollow > 0.5) {
        float ring = max(1.5, u_ring_fraction * r);
        float hole = inside(d, r - w - ring);
        rgb = mix(rgb, u_hollow_fill.rgb, hole);
        a = mix(1.0, u_hollow_fill.a, hole);
    }
    rgb = mix(u_outline.rgb, rgb, body);
    a = coverage * mix(u_outline.a, a, body);
    frag_color = vec4(rgb * a, a);
}
