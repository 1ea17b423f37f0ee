"""The data core: seeded dataset generators and their registry, painted point sets, picture targets.

No pygame or OpenGL here; PNG pictures are read with the project's own zlib-based reader.
"""

from .datasets import (
    DOMAIN,
    DatasetInfo,
    Task,
    dataset_info,
    dataset_names,
    image_dataset,
    list_datasets,
    make_dataset,
)
from .pictures import Picture, disk_picture, load_picture, picture_names
from .png import read_png, read_png_gray, write_png
from .pointset import MAX_POINTS, PointSet, PointSetFull

__all__ = [
    "DOMAIN",
    "MAX_POINTS",
    "DatasetInfo",
    "Picture",
    "PointSet",
    "PointSetFull",
    "Task",
    "dataset_info",
    "dataset_names",
    "disk_picture",
    "image_dataset",
    "list_datasets",
    "load_picture",
    "make_dataset",
    "picture_names",
    "read_png",
    "read_png_gray",
    "write_png",
]
