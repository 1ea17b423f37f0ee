"""Neural Origami: see what a ReLU network does to the plane.

The package is layered (dependencies point down only):
app/scenes (the only writers of state) -> ui (pygame-gui panels) -> render (OpenGL passes taking
numpy arrays) -> core: levels, geometry, bayes, nn, data (standard library, numpy and numba only,
no pygame or OpenGL imports; runs and is tested without a display).
"""

__version__ = "0.1.0"
