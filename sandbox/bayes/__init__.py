"""Bayesian confidence for the sandbox: the last-layer Laplace approximation.

`LastLayerLaplace` puts a Gaussian posterior on a trained MLP's output layer and turns it into
calibrated class probabilities (or a regression uncertainty band), exact per-region closed forms
for the renderer and far-field limits for the ray probe; `evidence` holds the evidence and its
exact maximiser. numpy only: no pygame or OpenGL here.
"""

from .evidence import NOISE_VARIANCE_RELATIVE_BOUNDS, PRIOR_PRECISION_BOUNDS
from .laplace import LastLayerLaplace, Link, check_precision, helmert_basis

__all__ = [
    "LastLayerLaplace",
    "Link",
    "NOISE_VARIANCE_RELATIVE_BOUNDS",
    "PRIOR_PRECISION_BOUNDS",
    "check_precision",
    "helmert_basis",
]
