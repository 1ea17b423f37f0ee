"""Reading one linear region of a Partition: where a point falls, the region's affine formula,
its activation bits by layer, area, edges, and its neighbours across exactly one crease.

Everything is read from the partition itself (sandbox.geometry.regions): the polygons in the
flat vertex pool, the activation patterns and the per-region output maps. `read_region(P, r)`
gathers what a reader wants to know about region r into a `RegionFacts`; `locate` finds the
region under a plane point; `neighbours` finds the regions that share a side of positive length
with r (two regions meet only where one neuron's crease runs, so each neighbour differs from r
in the bits of the neuron(s) whose crease that side lies on: one, unless creases coincide);
`step_towards` picks the neighbour in a direction (the arrow keys); `find_pattern` finds a
region by its activation pattern again after training moved the creases (a selection follows
its pattern). Text forms: `affine_text` rounds for reading, `region_report` writes every
number at full precision (repr round-trips float64) for the clipboard.

A neuron is "on" in a region when its pattern entry is non-zero: ReLU and leaky ReLU positive,
abs on its positive side, hardtanh above -1 (the same rule as the inspector's activity tint).
No pygame or OpenGL here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .colors import pattern_hashes
from .regions import Partition

# sides of two regions count as shared when both ends of one lie within this share of the
# window's diagonal of the other's line, and they overlap by more than it
SHARED_TOL = 1e-8


@dataclass(frozen=True)
class Neighbour:
    """A region across one side of another: its index, the neurons whose bits differ (layer
    1-based, index 0-based), the shared piece of side (2, 2) and where it points from the first
    region's centroid (the unit vector to the side's midpoint)."""

    region: int
    flipped: tuple[tuple[int, int], ...]
    side: np.ndarray
    direction: np.ndarray


@dataclass(frozen=True)
class RegionFacts:
    """What one region is: `region` its index in the partition, `pattern` its activation
    pattern as text (one digit per hidden neuron, layers joined by "|"), `bits` per layer (arrays
    of 0/1, or hardtanh's pieces 0/1/2), `formula` (K, 3) the logits as a x + b y + c per
    output, `area`, `edges` (its sides, collinear pieces merged), `border_edges` (how many of
    them lie on the window's border), `polygon` (m, 2) counter-clockwise, `centroid` and
    `neighbours`."""

    region: int
    pattern: str
    bits: tuple[np.ndarray, ...]
    formula: np.ndarray
    area: float
    edges: int
    border_edges: int
    polygon: np.ndarray
    centroid: np.ndarray
    neighbours: tuple[Neighbour, ...]


def hidden_sizes(part: Partition) -> list[int]:
    """The widths of the layers the partition is made by (layers 1..upto_layer)."""
    return [int(n) for n in part.sizes[1 : part.upto_layer + 1]]


def neuron_name(layer: int, index: int) -> str:
    """ "L2 #5" for layer 2's fifth neuron (index 4), as the rest of the app names neurons."""
    return f"L{layer} #{index + 1}"


def flat_to_ref(sizes: list[int], flat: int) -> tuple[int, int]:
    """(layer 1-based, index 0-based) of a flat hidden-neuron index."""
    starts = np.cumsum([0, *sizes])
    if not 0 <= flat < starts[-1]:
        raise ValueError(f"neuron {flat} does not exist; allowed: 0 to {int(starts[-1]) - 1}")
    layer = int(np.searchsorted(starts, flat, side="right"))
    return layer, int(flat - starts[layer - 1])


def ref_to_flat(sizes: list[int], layer: int, index: int) -> int:
    """Flat hidden-neuron index of (layer 1-based, index 0-based); ValueError if none."""
    if not 1 <= layer <= len(sizes) or not 0 <= index < sizes[layer - 1]:
        raise ValueError(f"neuron {neuron_name(layer, index)} does not exist in {sizes}")
    return int(sum(sizes[: layer - 1]) + index)


def _readable(part: Partition) -> None:
    if part.too_many:
        raise ValueError(f"the partition has no regions to read: {part.message}")


def pattern_text(part: Partition, region: int) -> str:
    """Region's activation pattern, one digit per neuron, layers joined by "|"."""
    row = np.asarray(part.patterns[region]).astype(np.uint8)
    out, start = [], 0
    for n in hidden_sizes(part):
        out.append("".join(str(int(v)) for v in row[start : start + n]))
        start += n
    return "|".join(out)


def find_pattern(part: Partition, pattern: str) -> int | None:
    """The region with this activation pattern (pattern_text's form), None when no region of
    the partition has it (training removed it, or it lies outside the window)."""
    if part.too_many or not pattern:
        return None
    digits = pattern.replace("|", "")
    n = part.patterns.shape[1]
    if len(digits) != n or not digits.isdigit():
        return None
    row = np.frombuffer(digits.encode(), dtype=np.uint8) - ord("0")
    target = row.astype(part.patterns.dtype)[None, :]
    h = pattern_hashes(target)[0]
    for r in np.flatnonzero(part.hashes == h):
        if np.array_equal(part.patterns[r], target[0]):
            return int(r)
    return None


def _diagonal(part: Partition) -> float:
    x0, x1, y0, y1 = part.bounds
    return float(np.hypot(x1 - x0, y1 - y0))


def locate(part: Partition, point) -> int | None:
    """The region containing plane point (x, y) (on a shared side: the one it is deepest in);
    None when it is outside the window or the partition has no regions."""
    if part.too_many or len(part) == 0:
        return None
    p = np.asarray(point, dtype=np.float64).reshape(2)
    x0, x1, y0, y1 = part.bounds
    if not (x0 <= p[0] <= x1 and y0 <= p[1] <= y1):
        return None
    a, b = _pooled_sides(part)
    d = b - a
    length = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-300)
    # signed distance of p to the left of each side (inside a CCW polygon: all >= 0)
    inside = (d[:, 0] * (p[1] - a[:, 1]) - d[:, 1] * (p[0] - a[:, 0])) / length
    depth = np.minimum.reduceat(inside, part.offsets[:-1])
    r = int(np.argmax(depth))
    return r if depth[r] >= -SHARED_TOL * _diagonal(part) else None


def _pooled_sides(part: Partition) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (V, 2) of every side of every polygon in the pool."""
    v = part.vertices
    nxt = np.arange(v.shape[0]) + 1
    nxt[part.offsets[1:] - 1] = part.offsets[:-1]
    return v, v[nxt]


def polygon(part: Partition, region: int) -> np.ndarray:
    """(m, 2) vertices of the region, counter-clockwise."""
    return np.asarray(part.vertices[part.offsets[region] : part.offsets[region + 1]])


def sides(part: Partition, region: int) -> list[np.ndarray]:
    """The region's sides as (2, 2) segments, collinear pieces merged and zero-length ones
    dropped."""
    poly = polygon(part, region)
    tol = SHARED_TOL * _diagonal(part)
    keep = []
    for i in range(len(poly)):
        if np.hypot(*(poly[i] - poly[i - 1])) > tol:
            keep.append(poly[i])
    poly = np.asarray(keep)
    m = len(poly)
    if m < 3:
        return []
    corners = []
    for i in range(m):
        u, w = poly[i] - poly[i - 1], poly[(i + 1) % m] - poly[i]
        turn = u[0] * w[1] - u[1] * w[0]
        if abs(turn) > 1e-12 * np.hypot(*u) * np.hypot(*w):
            corners.append(poly[i])
    return [np.stack([corners[i], corners[(i + 1) % len(corners)]]) for i in range(len(corners))]


def on_border(part: Partition, side: np.ndarray) -> bool:
    """The side lies on the window's border."""
    x0, x1, y0, y1 = part.bounds
    tol = SHARED_TOL * _diagonal(part)
    xs, ys = side[:, 0], side[:, 1]
    return bool(
        np.all(np.abs(xs - x0) <= tol)
        or np.all(np.abs(xs - x1) <= tol)
        or np.all(np.abs(ys - y0) <= tol)
        or np.all(np.abs(ys - y1) <= tol)
    )


def area_and_centroid(part: Partition, region: int) -> tuple[float, np.ndarray]:
    """Shoelace area and centroid of one region (relative to its first vertex, as
    Partition.areas: exact enough for tiny polygons far out); a zero-area sliver's centroid is
    its vertex mean."""
    poly = polygon(part, region)
    base = poly[0]
    v = poly - base
    w = np.roll(v, -1, axis=0)
    cross = v[:, 0] * w[:, 1] - w[:, 0] * v[:, 1]
    area = float(cross.sum() / 2.0)
    if area == 0.0:
        return 0.0, poly.mean(axis=0)
    c = np.array([((v[:, 0] + w[:, 0]) * cross).sum(), ((v[:, 1] + w[:, 1]) * cross).sum()])
    return area, base + c / (6.0 * area)


def neighbours(part: Partition, region: int) -> list[Neighbour]:
    """The regions that share a side of positive length with `region`, each with the neurons
    whose bits differ across it (sorted by region index)."""
    _readable(part)
    tol = SHARED_TOL * _diagonal(part)
    a_all, b_all = _pooled_sides(part)
    # only sides with both ends in the region's bounding box can lie on one of its sides
    poly = polygon(part, region)
    lo, hi = poly.min(axis=0) - tol, poly.max(axis=0) + tol
    near = np.all((a_all >= lo) & (a_all <= hi) & (b_all >= lo) & (b_all <= hi), axis=1)
    owner = part.region_ids[near]
    a_all, b_all = a_all[near], b_all[near]
    centroid = area_and_centroid(part, region)[1]
    found: dict[int, list[np.ndarray]] = {}
    for side in sides(part, region):
        a, b = side
        d = b - a
        length = float(np.hypot(*d))
        u = d / length
        normal = np.array([-u[1], u[0]])
        # both ends of a pooled side on this side's line, and overlapping it
        da, db = (a_all - a) @ normal, (b_all - a) @ normal
        ta, tb = (a_all - a) @ u, (b_all - a) @ u
        lo_t = np.maximum(np.minimum(ta, tb), 0.0)
        hi_t = np.minimum(np.maximum(ta, tb), length)
        hit = (np.abs(da) <= tol) & (np.abs(db) <= tol) & (hi_t - lo_t > tol) & (owner != region)
        for k in np.flatnonzero(hit):
            found.setdefault(int(owner[k]), []).append(np.stack([a + lo_t[k] * u, a + hi_t[k] * u]))
    sizes = hidden_sizes(part)
    me = part.patterns[region]
    out = []
    for q in sorted(found):
        longest = max(found[q], key=lambda s: float(np.hypot(*(s[1] - s[0]))))
        mid = longest.mean(axis=0) - centroid
        norm = float(np.hypot(*mid))
        flipped = tuple(flat_to_ref(sizes, int(f)) for f in np.flatnonzero(part.patterns[q] != me))
        out.append(Neighbour(q, flipped, longest, mid / norm if norm > 0 else mid))
    return out


def step_towards(nbs: list[Neighbour] | tuple[Neighbour, ...], direction) -> Neighbour | None:
    """The neighbour whose shared side lies most nearly in `direction` (x, y) from the region's
    centroid; None when none lies ahead (within 90 degrees)."""
    d = np.asarray(direction, dtype=np.float64)
    d = d / max(float(np.hypot(*d)), 1e-300)
    best, best_cos = None, 1e-9
    for nb in nbs:
        c = float(nb.direction @ d)
        if c > best_cos:
            best, best_cos = nb, c
    return best


def neuron_on(part: Partition, layer: int, index: int) -> np.ndarray:
    """(R,) bool: the regions where hidden neuron (layer 1-based, index 0-based) is on."""
    flat = ref_to_flat(hidden_sizes(part), layer, index)
    return np.asarray(part.patterns[:, flat]) != 0


def hatch(
    part: Partition, mask: np.ndarray, spacing: float, angle: float = np.pi / 4
) -> np.ndarray:
    """(S, 4) hatching of the regions where `mask` (R,) is True: the chords that the parallel
    lines x cos(angle) + y sin(angle) = k * spacing cut from each region (a highlight that reads
    over any fill). Each line meets a convex polygon's boundary twice, counting every side on
    the half-open range of its ends' line values, so the chords pair up exactly."""
    if part.too_many or not np.any(mask) or not spacing > 0:
        return np.zeros((0, 4))
    n = np.array([np.cos(angle), np.sin(angle)])
    a, b = _pooled_sides(part)
    owner = part.region_ids
    keep = np.asarray(mask, dtype=bool)[owner]
    a, b, owner = a[keep], b[keep], owner[keep]
    sa, sb = a @ n / spacing, b @ n / spacing
    lo, hi = np.minimum(sa, sb), np.maximum(sa, sb)
    first = np.ceil(lo).astype(np.int64)
    count = np.maximum(np.ceil(hi).astype(np.int64) - first, 0)  # lines k with lo <= k < hi
    if count.sum() > 200_000:  # far too dense to read: draw none rather than stall a frame
        return np.zeros((0, 4))
    side = np.repeat(np.arange(len(a)), count)
    k = first[side] + (np.arange(side.size) - np.repeat(np.cumsum(count) - count, count))
    t = (k - sa[side]) / (sb[side] - sa[side])
    pts = a[side] + t[:, None] * (b[side] - a[side])
    order = np.lexsort((pts @ np.array([-n[1], n[0]]), k, owner[side]))
    pts = pts[order]
    if len(pts) % 2:
        return np.zeros((0, 4))
    return pts.reshape(-1, 4)


def formula(part: Partition, region: int) -> np.ndarray:
    """(K, 3): output k is F[k, 0] x + F[k, 1] y + F[k, 2] inside the region."""
    if part.output_maps is None:
        raise ValueError("formulas exist only for the partition of all hidden layers")
    return np.array(part.output_maps[region], dtype=np.float64)


def read_region(part: Partition, region: int) -> RegionFacts:
    """Everything about one region (see RegionFacts)."""
    _readable(part)
    if not 0 <= region < len(part):
        raise ValueError(f"region {region} does not exist; allowed: 0 to {len(part) - 1}")
    row = np.asarray(part.patterns[region]).astype(np.uint8)
    bits, start = [], 0
    for n in hidden_sizes(part):
        bits.append(row[start : start + n].copy())
        start += n
    ss = sides(part, region)
    area, centroid = area_and_centroid(part, region)
    return RegionFacts(
        region=int(region),
        pattern=pattern_text(part, region),
        bits=tuple(bits),
        formula=formula(part, region),
        area=area,
        edges=len(ss),
        border_edges=sum(on_border(part, s) for s in ss),
        polygon=polygon(part, region).copy(),
        centroid=centroid,
        neighbours=tuple(neighbours(part, region)),
    )


# ------------------------------------------------------------------ text
def _num(v: float, digits: int | None) -> str:
    if digits is None:
        return repr(float(v))
    text = f"{float(v):.{digits}g}"
    if "e" in text and abs(v) >= 1:  # plain numbers for reading: whole ones when large
        text = f"{float(v):.0f}"
    elif "e" in text:  # tiny ones are 0 at this many decimals
        text = f"{float(v):.{max(0, digits)}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def affine_text(coeffs, digits: int | None = 3) -> str:
    """ "a x + b y + c" with `digits` significant digits (None: full precision)."""
    a, b, c = (float(v) for v in coeffs)
    out = f"{_num(a, digits)} x"
    for v, name in ((b, " y"), (c, "")):
        sign = "-" if v < 0 else "+"
        out += f" {sign} {_num(abs(v), digits)}{name}"
    return out


def output_names(k: int) -> list[str]:
    """How the outputs are called: "output" alone, else "class 1", "class 2", ..."""
    return ["output"] if k == 1 else [f"class {i + 1}" for i in range(k)]


def region_report(facts: RegionFacts) -> str:
    """The region in plain text at full precision: formulas, bits by layer, area, sides,
    vertices and neighbours (what the copy button puts on the clipboard)."""
    lines = [f"linear region {facts.region}, pattern {facts.pattern}"]
    for name, row in zip(output_names(len(facts.formula)), facts.formula, strict=True):
        lines.append(f"{name} = {affine_text(row, None)}")
    for layer, bits in enumerate(facts.bits, start=1):
        lines.append(f"layer {layer} on/off: {''.join(str(int(b)) for b in bits)}")
    lines.append(f"area = {facts.area!r}")
    lines.append(f"edges = {facts.edges} ({facts.border_edges} on the window's border)")
    lines.append("vertices (x, y) = " + ", ".join(f"({x!r}, {y!r})" for x, y in facts.polygon))
    for nb in facts.neighbours:
        names = ", ".join(neuron_name(*f) for f in nb.flipped)
        lines.append(f"neighbour region {nb.region} across {names}")
    return "\n".join(lines) + "\n"
