#version 330 core
// A point as a small lit sphere: class colour shaded by the sphere's normal under the key light,
// a dark outline; hollow (test) points are rings; the highlighted point (the linked cursor) is a
// white sphere with a thick outline. Premultiplied alpha.
in vec2 v_px;
flat in vec2 v_center;
flat in float v_radius;
flat in float v_flags;
flat in int v_class;

uniform vec3 u_class_colors[6];
uniform vec4 u_outline;
uniform float u_outline_width;
uniform vec3 u_key_dir;
uniform vec3 u_highlight;

out vec4 frag_color;

float inside(float d, float edge) { return clamp(edge + 0.5 - d, 0.0, 1.0); }

void main() {
    vec2 q = v_px - v_center;
    float d = length(q);
    float r = v_radius;
    int flags = int(v_flags + 0.5);
    bool highlight = (flags & 2) != 0;
    float w = min(highlight ? 2.0 * u_outline_width : u_outline_width, 0.5 * r);
    float alpha = inside(d, r);
    float fill = inside(d, r - w);
    if ((flags & 1) != 0) {
        float ring = max(0.35 * r, 1.5);
        fill *= 1.0 - inside(d, r - w - ring);
        alpha *= 1.0 - inside(d, r - 2.0 * w - ring);
    }
    if (alpha <= 0.0) discard;
    vec2 s = q / max(r, 1e-6);
    vec3 n = vec3(s, sqrt(max(1.0 - dot(s, s), 0.0)));
    float light = 0.62 + 0.45 * max(dot(n, u_key_dir), 0.0);
    vec3 body = highlight ? u_highlight : u_class_colors[v_class];
    vec3 rgb = mix(u_outline.rgb, clamp(body * light, 0.0, 1.0), fill);
    float a = alpha * mix(u_outline.a, 1.0, fill);
    frag_color = vec4(rgb * a, a);
}
