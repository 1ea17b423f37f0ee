#version 330 core
// The UI overlay drawn as instanced tiles: only tiles where the UI has any opaque pixel.
layout(location = 0) in vec2 a_tile;  // tile column, row (rows counted from the top)

uniform vec2 u_size;       // overlay size in pixels
uniform float u_tile;      // tile side in pixels
uniform vec2 u_origin;     // where the drawn texture's first texel lies in the surface

out vec2 v_texel;          // pixel coordinates in the drawn texture, y down

void main() {
    vec2 corner = vec2((gl_VertexID & 1) == 0 ? 0.0 : 1.0, gl_VertexID < 2 ? 0.0 : 1.0);
    vec2 s = min((a_tile + corner) * u_tile, u_size);
    v_texel = s - u_origin;
    gl_Position = vec4(s.x / u_size.x * 2.0 - 1.0, 1.0 - s.y / u_size.y * 2.0, 0.0, 1.0);
}
