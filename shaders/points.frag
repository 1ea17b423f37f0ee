#version 330 core
// A filled point: class-coloured disc with a dark outline. A hollow (test) point: outline, a
// class-coloured ring, an inner outline, and a transparent hole. Edges are 1 px smooth ramps.
in vec2 v_px;
flat in vec2 v_center;
flat in float v_radius;
flat in float v_hollow;
flat in int v_class;

uniform vec3 u_class_colors[6];
uniform vec4 u_outline;         // RGBA
uniform float u_outline_width;  // px
uniform float u_ring_width;     // px, class-coloured ring of hollow points

out vec4 frag_color;

// 1 where d < edge, 0 where d > edge, linear over one pixel.
float inside(float d, float edge) { return clamp(edge + 0.5 - d, 0.0, 1.0); }

void main() {
    float d = length(v_px - v_center);
    float r = v_radius;
    float w = min(u_outline_width, 0.5 * r);
    float alpha = inside(d, r);
    float fill = inside(d, r - w);
    if (v_hollow > 0.5) {
        float ring = min(u_ring_width, max(r - 2.0 * w, 0.0));
        fill *= 1.0 - inside(d, r - w - ring);
        alpha *= 1.0 - inside(d, r - 2.0 * w - ring);
    }
    if (alpha <= 0.0) discard;
    vec3 rgb = mix(u_outline.rgb, u_class_colors[v_class], fill);
    float a = alpha * mix(u_outline.a, 1.0, fill);
    frag_color = vec4(rgb * a, a);
}
