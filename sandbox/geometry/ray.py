"""Exact probe of a network along one ray: crease crossings, logits and confidence versus radius.

Along x(r) = origin + r u (u the unit direction, r >= 0) every hidden activation is piecewise
linear in r, so the ray is cut exactly the way the plane is (MATH.md section 1 in one dimension):
layer by layer, each interval [r0, r1) is split where a neuron's pre-activation crosses zero. The
unbounded last interval is kept, so the probe knows the true last region of the ray beyond r_max
and with it the far-field limit of the Laplace confidence (MATH.md section 3). Feeds the "logit
difference vs radius" and "confidence vs radius" plots.

Every piecewise-linear activation is exact the same way (each neuron splits an interval at each
of its breakpoints; a residual layer adds its input's map). A smooth activation has no creases:
its probe is sampled (`sampled` is True): 512 chords on [0, r_max] and one from r_max to
16 r_max for the far field, with no crossings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..nn.activations import pieces as activation_pieces
from ..nn.mlp import softmax
from .regions import check_network

SAMPLED_CHORDS = 512


@dataclass
class RayProbe:
    """Result of ray_probe; every array is exact (up to float64 rounding).

    radii (C,): radii in (0, r_max] where the ray crosses a crease, sorted, with `layer` (C,,
    1-based) and `neuron` (C,) of the neuron whose activation switches there (a radius repeats
    when several neurons switch at once). breakpoints (P,): 0, the distinct crossing radii and
    r_max; logits_at_breakpoints (P, out): the network output there; the logits are linear in r
    between consecutive breakpoints. pieces_start (I,): start radius of every linear piece of
    the whole unbounded ray (the last piece runs to infinity), with logit_slope/logit_offset
    (I, out), feature_slope/feature_offset (I, H) (last hidden layer) and patterns (I, hidden)
    per piece. last_crossing: the radius of the last crease crossing of the unbounded ray (0 when
    none). far_feature_slope (H,): d(features)/dr beyond the last crossing. far_field_limit: the
    Laplace probabilities (K,) as r -> infinity (None without a Laplace object).
    """

    origin: np.ndarray
    direction: np.ndarray
    r_max: float
    radii: np.ndarray
    layer: np.ndarray
    neuron: np.ndarray
    breakpoints: np.ndarray
    logits_at_breakpoints: np.ndarray
    pieces_start: np.ndarray
    logit_slope: np.ndarray
    logit_offset: np.ndarray
    feature_slope: np.ndarray
    feature_offset: np.ndarray
    patterns: np.ndarray
    last_crossing: float
    far_feature_slope: np.ndarray
    n_out: int
    laplace: object | None = None
    link: str = "probit"
    far_field_limit: np.ndarray | None = None
    sampled: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ pieces
    def piece_of(self, radii: np.ndarray) -> np.ndarray:
        """Index of the linear piece containing each radius."""
        r = np.asarray(radii, dtype=np.float64)
        return np.clip(np.searchsorted(self.pieces_start, r, side="right") - 1, 0, None)

    def points(self, radii: np.ndarray) -> np.ndarray:
        """(N, 2) input points at the given radii."""
        r = np.asarray(radii, dtype=np.float64).reshape(-1, 1)
        return self.origin + r * self.direction

    def logits(self, radii: np.ndarray) -> np.ndarray:
        """(N, out) exact network output at the given radii."""
        r = np.asarray(radii, dtype=np.float64).reshape(-1)
        p = self.piece_of(r)
        return self.logit_slope[p] * r[:, None] + self.logit_offset[p]

    def features(self, radii: np.ndarray) -> np.ndarray:
        """(N, H) exact last-hidden-layer activations at the given radii."""
        r = np.asarray(radii, dtype=np.float64).reshape(-1)
        p = self.piece_of(r)
        return self.feature_slope[p] * r[:, None] + self.feature_offset[p]

    # ------------------------------------------------------------------ logit difference
    def logit_difference(self, radii: np.ndarray) -> np.ndarray:
        """Binary: f1 - f0; K > 2: top logit minus runner-up; regression: the output."""
        return _difference(self.logits(radii))

    def logit_difference_polyline(self) -> tuple[np.ndarray, np.ndarray]:
        """(r, d): vertices of the exact piecewise-linear logit difference on [0, r_max].

        Besides the crease crossings it includes, for K > 2, the radii where the ranking of the
        top two classes changes, so that joining the points with straight lines is exact.
        """
        if "polyline" in self._cache:
            return self._cache["polyline"]
        r = self.breakpoints
        if self.n_out > 2:
            extra = []
            for a, b in zip(r[:-1], r[1:], strict=True):
                if b <= a:
                    continue
                p = int(self.piece_of(np.array([0.5 * (a + b)]))[0])
                s, o = self.logit_slope[p], self.logit_offset[p]
                ds = s[:, None] - s[None, :]
                do = o[:, None] - o[None, :]
                with np.errstate(divide="ignore", invalid="ignore"):
                    t = -do / ds
                t = t[np.isfinite(t) & (t > a) & (t < b)]
                extra.append(t)
            if extra:
                r = np.unique(np.concatenate([r, *extra]))
        out = (r, self.logit_difference(r))
        self._cache["polyline"] = out
        return out

    # ------------------------------------------------------------------ confidence
    def map_confidence(self, radii: np.ndarray) -> np.ndarray:
        """Largest softmax probability of the network (MAP) at the given radii."""
        if self.n_out == 1:
            raise ValueError("confidence needs a classification network (2 to 6 outputs)")
        return softmax(self.logits(radii)).max(axis=1)

    @property
    def map_far_field_limit(self) -> np.ndarray | None:
        """Softmax probabilities (K,) of the MAP network as r -> infinity (None for regression).

        The class with the steepest logit slope beyond the last crease wins outright (ties share
        the limit; equal slopes leave the finite softmax of the offsets among them).
        """
        if self.n_out == 1:
            return None
        s = self.logit_slope[-1]
        o = self.logit_offset[-1]
        top = s >= s.max() - 1e-12 * max(1.0, np.abs(s).max())
        p = np.zeros(self.n_out)
        p[top] = softmax(o[top][None, :])[0]
        return p

    def laplace_proba(self, radii: np.ndarray) -> np.ndarray:
        """(N, K) last-layer Laplace probabilities at the given radii (needs `laplace`)."""
        if self.laplace is None:
            raise ValueError("laplace_proba needs ray_probe(..., laplace=la)")
        phi = self.features(radii)
        return np.asarray(self.laplace.predict_proba_features(phi, link=self.link))

    def laplace_confidence(self, radii: np.ndarray) -> np.ndarray:
        """Largest Laplace probability at the given radii."""
        return self.laplace_proba(radii).max(axis=1)

    @property
    def far_field_confidence(self) -> float | None:
        """Limit of the Laplace confidence as r -> infinity (None without a Laplace object)."""
        if self.far_field_limit is None:
            return None
        return float(np.max(self.far_field_limit))


def _difference(f: np.ndarray) -> np.ndarray:
    K = f.shape[1]
    if K == 1:
        return f[:, 0].copy()
    if K == 2:
        return f[:, 1] - f[:, 0]
    top2 = np.sort(f, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def ray_probe(
    net,
    origin,
    direction,
    r_max: float,
    laplace=None,
    *,
    link: str = "probit",
) -> RayProbe:
    """Exact crease crossings, logits and confidences along origin + r * direction, r >= 0.

    `direction` is normalised, so r is the Euclidean distance from origin. `laplace` (optional,
    classification only) offers predict_proba_features(Phi, link=...) -> (N, K) and
    far_field_proba(feature_slope, feature_offset=..., link=...) -> (K,), as
    sandbox.bayes.LastLayerLaplace does; `link` is passed to both (the far-field limit of a Monte
    Carlo link is taken in its probit closed form).
    """
    check_network(net)
    o = np.asarray(origin, dtype=np.float64).reshape(-1)
    u = np.asarray(direction, dtype=np.float64).reshape(-1)
    if o.shape != (2,) or not np.all(np.isfinite(o)):
        raise ValueError(f"origin must be 2 finite numbers, got {origin!r}")
    if u.shape != (2,) or not np.all(np.isfinite(u)):
        raise ValueError(f"direction must be 2 finite numbers, got {direction!r}")
    norm = float(np.hypot(u[0], u[1]))
    if norm == 0.0:
        raise ValueError("direction is the zero vector; give a non-zero direction")
    u = u / norm
    r_max = float(r_max)
    if not (np.isfinite(r_max) and r_max > 0.0):
        raise ValueError(f"r_max is {r_max}; it must be a positive finite radius")

    if not net.activation.piecewise_linear:
        return _sampled_probe(net, o, u, r_max, laplace, link)
    pc = activation_pieces(net.activation, net.negative_slope)
    bps = np.asarray(pc.breakpoints)
    slopes = np.asarray(pc.slopes)
    toffs = np.asarray(pc.offsets)
    # pieces: start radius, and the affine map (alpha r + gamma) of the current layer's input
    starts = np.zeros(1)
    alpha = u[None, :].copy()
    gamma = o[None, :].copy()
    pats: list[np.ndarray] = []
    cross_r: list[np.ndarray] = []
    cross_l: list[np.ndarray] = []
    cross_n: list[np.ndarray] = []
    for l, (W, b) in enumerate(net.layers[:-1], start=1):
        a = alpha @ W.T  # (I, n) slope of each pre-activation on each piece
        g = gamma @ W.T + b
        ends = np.append(starts[1:], np.inf)
        found = [starts]
        for bp in bps:
            with np.errstate(divide="ignore", invalid="ignore"):
                roots = -(g - bp) / a if bp != 0.0 else -g / a
            inside = np.isfinite(roots) & (roots > starts[:, None]) & (roots < ends[:, None])
            found.append(roots[inside])
        new_starts = np.unique(np.concatenate(found))
        parent = np.searchsorted(starts, new_starts, side="right") - 1
        new_ends = np.append(new_starts[1:], np.inf)
        # a point strictly inside each new piece decides the sign there
        probe = np.where(
            np.isfinite(new_ends),
            0.5 * (new_starts + new_ends),
            new_starts + np.maximum(1.0, np.abs(new_starts)),
        )
        z = a[parent] * probe[:, None] + g[parent]
        q = pc.piece(z)
        switch = q[1:] != q[:-1]
        piece_idx, neuron_idx = np.nonzero(switch)
        cross_r.append(new_starts[1:][piece_idx])
        cross_l.append(np.full(piece_idx.size, l, dtype=np.int32))
        cross_n.append(neuron_idx.astype(np.int32))
        pats = [p[parent] for p in pats] + [q.astype(bool) if len(slopes) <= 2 else q]
        new_alpha = a[parent] * slopes[q]
        new_gamma = g[parent] * slopes[q] + toffs[q]
        if net.residual_layers[l - 1]:
            new_alpha = new_alpha + alpha[parent]
            new_gamma = new_gamma + gamma[parent]
        starts = new_starts
        alpha = new_alpha
        gamma = new_gamma
    Wo, bo = net.layers[-1]
    logit_slope = alpha @ Wo.T
    logit_offset = gamma @ Wo.T + bo

    r_all = np.concatenate(cross_r)
    l_all = np.concatenate(cross_l)
    n_all = np.concatenate(cross_n)
    order = np.lexsort((n_all, l_all, r_all))
    r_all, l_all, n_all = r_all[order], l_all[order], n_all[order]
    keep = r_all <= r_max
    breakpoints = np.unique(np.concatenate([[0.0], r_all[keep], [r_max]]))
    p = np.clip(np.searchsorted(starts, breakpoints, side="right") - 1, 0, None)
    logits_bp = logit_slope[p] * breakpoints[:, None] + logit_offset[p]

    probe = RayProbe(
        origin=o,
        direction=u,
        r_max=r_max,
        radii=r_all[keep],
        layer=l_all[keep],
        neuron=n_all[keep],
        breakpoints=breakpoints,
        logits_at_breakpoints=logits_bp,
        pieces_start=starts,
        logit_slope=logit_slope,
        logit_offset=logit_offset,
        feature_slope=alpha,
        feature_offset=gamma,
        patterns=np.concatenate(pats, axis=1),
        last_crossing=float(r_all[-1]) if r_all.size else 0.0,
        far_feature_slope=alpha[-1].copy(),
        n_out=int(net.n_out),
        laplace=laplace,
        link=link,
    )
    if laplace is not None and net.n_out > 1:
        # closed forms exist for these links; a Monte Carlo link shares the probit limit's idea
        far_link = link if str(link) in ("probit", "pairwise", "map") else "probit"
        slope, offset = alpha[-1].copy(), gamma[-1].copy()
        probe.far_field_limit = np.asarray(
            laplace.far_field_proba(slope, feature_offset=offset, link=far_link)
        )
    return probe


def _sampled_probe(net, o, u, r_max, laplace, link) -> RayProbe:
    """The probe of a smooth network: chords between samples (no creases to cross)."""
    r = np.linspace(0.0, r_max, SAMPLED_CHORDS + 1)
    r = np.append(r, 16.0 * r_max)
    phi = net.features(o[None, :] + r[:, None] * u[None, :])
    dr = np.diff(r)[:, None]
    slope = np.diff(phi, axis=0) / dr
    offset = phi[:-1] - slope * r[:-1, None]
    Wo, bo = net.layers[-1]
    logit_slope = slope @ Wo.T
    logit_offset = offset @ Wo.T + bo
    starts = r[:-1]
    bp = r[:-1]
    logits_bp = logit_slope * bp[:, None] + logit_offset
    logits_bp[-1] = phi[-2] @ Wo.T + bo  # r_max itself (the end of the last sampled chord)
    empty_i = np.zeros(0, dtype=np.int32)
    probe = RayProbe(
        origin=o,
        direction=u,
        r_max=r_max,
        radii=np.zeros(0),
        layer=empty_i,
        neuron=empty_i.copy(),
        breakpoints=bp,
        logits_at_breakpoints=logits_bp,
        pieces_start=starts,
        logit_slope=logit_slope,
        logit_offset=logit_offset,
        feature_slope=slope,
        feature_offset=offset,
        patterns=np.zeros((starts.size, net.n_hidden), dtype=bool),
        last_crossing=0.0,
        far_feature_slope=slope[-1].copy(),
        n_out=int(net.n_out),
        laplace=laplace,
        link=link,
        sampled=True,
    )
    if laplace is not None and net.n_out > 1:
        far_link = link if str(link) in ("probit", "pairwise", "map") else "probit"
        probe.far_field_limit = np.asarray(
            laplace.far_field_proba(
                slope[-1].copy(), feature_offset=offset[-1].copy(), link=far_link
            )
        )
    return probe
