"""The data core: seeded dataset generators and their registry, painted point sets, picture targets.

No pygame or OpenGL here; pictures are read with Pillow (imported when a file is read).
"""

from .datasets import (
    DOMAIN,
    DatasetInfo,
    Task,
    dataset_info,
    dataset_names,
    flip_labels,
    image_dataset,
    list_datasets,
    make_dataset,
    picture_source,
    short_name,
)
from .pictures import (
    DEFAULT_TRAIN_SIDE,
    TRAIN_SIDES,
    Picture,
    disk_picture,
    load_picture,
    picture_names,
    read_picture_gray,
)
from .pointset import MAX_POINTS, PointSet, PointSetFull

__all__ = [
    "DEFAULT_TRAIN_SIDE",
    "TRAIN_SIDES",
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
    "flip_labels",
    "image_dataset",
    "list_datasets",
    "load_picture",
    "make_dataset",
    "picture_names",
    "picture_source",
    "read_picture_gray",
    "short_name",
]
