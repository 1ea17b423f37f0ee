"""Exact geometry of 2-input networks: linear regions, creases, decision boundary, ray probes.

For ReLU and every other piecewise-linear activation (and residual layers) everything here is
computed exactly (up to float64 rounding) from the weights, never sampled on a pixel grid; a
smooth activation has no regions, and its boundary, surface and probes are sampled instead
(sampled.py): `linear_regions` partitions a window into the network's convex linear regions,
`ray_probe` follows one ray and reports where it crosses creases and how logits and confidence
change along it, and the health functions count regions against the Serra bound and find dead,
copycat and useless neurons; margins.py measures every point's exact distance to the decision
boundary and region_stats.py counts regions near and far from the data. No display code; numpy
and numba only.
"""

from .colors import crease_colors, region_colors
from .health import (
    DeadNeurons,
    NetworkHealth,
    copycat_neurons,
    creases_outside_hull,
    dead_neurons,
    network_health,
    serra_bound,
)
from .ray import RayProbe, ray_probe
from .regions import Creases, Partition, RegionMesh, linear_regions

__all__ = [
    "Creases",
    "DeadNeurons",
    "NetworkHealth",
    "Partition",
    "RayProbe",
    "RegionMesh",
    "copycat_neurons",
    "crease_colors",
    "creases_outside_hull",
    "dead_neurons",
    "linear_regions",
    "network_health",
    "ray_probe",
    "region_colors",
    "serra_bound",
]
