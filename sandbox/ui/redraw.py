"""Which parts of the UI surface must be drawn again this frame (and uploaded), and which not.

The UI surface holds the pygame-gui panels and the HUD marks drawn with pygame (captions, the
hover readout, toasts, cards). Drawing all of it and uploading it as a texture every frame costs
more than the rest of a frame on a software rasteriser, while most frames change nothing, or
one label. `UiDamage.collect` compares this frame with the one last drawn and returns the areas
to draw again, as rectangles aligned to the overlay's tiles (sandbox.render.overlay.TILE, so an
upload replaces whole tiles and the overlay knows exactly which tiles hold pixels):

- a pygame-gui element whose picture, place, visibility or draw order changed: the area it
  covered and the area it covers now. pygame-gui has no dirty flag of its own; every new picture
  of an element goes through the sprite's `image` setter (also when an element redraws into
  the same surface object: hover, a text cursor, a typed letter), so `watch_images` counts those
  writes per sprite;
- the HUD: the scene's `hud_key()` sums up everything its marks show (a tuple of plain values);
  when it differs from the one drawn, the whole window is drawn again;
- the marks that follow the pointer (the hover readout, the brush ring): the scene's
  `pointer_marks()` says what they show and where they are; when only that changed, the areas
  they covered and cover now (with the mouse moving over the plane at 1280 x 800 the whole
  surface was drawn and uploaded every frame, 10-25 ms of the UI maximum's frames);
- `everything()` after a rebuild (scene, window size, UI scale or theme).

An empty list means the frame draws nothing and uploads nothing: the overlay's texture from an
earlier frame is composited as it is.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from sandbox.render.overlay import TILE

# more than this share of the window's tiles changed: one full rectangle is cheaper than many
FULL_SHARE = 0.5

_WRITES = "_redraw_image_writes"


def watch_images() -> None:
    """Count each write of a pygame-gui element's picture on the element (idempotent)."""
    from pygame_gui.core.layered_gui_group import GUISprite

    prop = GUISprite.__dict__["image"]
    if getattr(prop.fset, "_counts_writes", False):
        return
    plain_set = prop.fset

    def counted_set(sprite: Any, value: Any) -> None:
        sprite.__dict__[_WRITES] = sprite.__dict__.get(_WRITES, 0) + 1
        plain_set(sprite, value)

    counted_set._counts_writes = True  # type: ignore[attr-defined]
    GUISprite.image = property(prop.fget, counted_set, prop.fdel, prop.__doc__)


def _sprite_picture(sprite: Any) -> tuple | None:
    """What one element puts on the surface: (writes, picture id, drawn rectangle), or None
    when it draws nothing."""
    image = sprite.image
    if image is None or not sprite.visible:
        return None
    r = sprite.rect
    w, h = image.get_size()
    return (sprite.__dict__.get(_WRITES, 0), id(image), (int(r[0]), int(r[1]), w, h))


class UiDamage:
    """Remembers what the UI surface shows and names the areas a new frame must draw again."""

    def __init__(self) -> None:
        watch_images()
        self.size = (0, 0)
        self._full = True
        self._hud: Hashable = None
        self._order: list[int] = []
        self._pictures: dict[int, tuple] = {}
        self._pointer: Hashable = None
        self._pointer_rects: list[tuple[int, int, int, int]] | None = []

    def everything(self) -> None:
        """The next `collect` returns the whole window (after a rebuild of the UI)."""
        self._full = True

    def collect(
        self,
        manager: Any,
        hud_key: Hashable,
        size: tuple[int, int],
        pointer: tuple[Hashable, list[tuple[int, int, int, int]] | None] = (None, []),
    ) -> list[tuple[int, int, int, int]]:
        """Rectangles (x, y, w, h), tile-aligned and inside `size`, to draw again this frame;
        remembers this frame as drawn. `pointer`: the scene's `pointer_marks()`."""
        sprites = manager.get_sprite_group().sprites()
        order: list[int] = []
        pictures: dict[int, tuple] = {}
        for sprite in sprites:
            picture = _sprite_picture(sprite)
            if picture is not None:
                order.append(id(sprite))
                pictures[id(sprite)] = picture
        size = (int(size[0]), int(size[1]))
        full = self._full or size != self.size or hud_key != self._hud or order != self._order
        pointer_key, pointer_rects = pointer
        changed: list[tuple[int, int, int, int]] = []
        if not full and pointer_key != self._pointer:
            if pointer_rects is None or self._pointer_rects is None:
                full = True
            else:
                changed += self._pointer_rects + list(pointer_rects)
        if not full:
            for key, picture in pictures.items():
                before = self._pictures.get(key)
                if before != picture:
                    changed.append(picture[2])
                    if before is not None:
                        changed.append(before[2])
        self._full = False
        self._hud = hud_key
        self._pointer, self._pointer_rects = pointer_key, pointer_rects
        self._order = order
        self._pictures = pictures
        self.size = size
        if full:
            return [(0, 0, size[0], size[1])]
        return tile_rects(changed, size)


def tile_rects(
    rects: list[tuple[int, int, int, int]], size: tuple[int, int], tile: int = TILE
) -> list[tuple[int, int, int, int]]:
    """The tiles that `rects` touch, as few tile-aligned rectangles clipped to `size`: runs of
    tiles along each row, merged with the rows below while they span the same columns. The
    whole window when more than FULL_SHARE of its tiles are touched."""
    w, h = size
    if not rects or w <= 0 or h <= 0:
        return []
    rows, cols = (h + tile - 1) // tile, (w + tile - 1) // tile
    grid = np.zeros((rows, cols), dtype=bool)
    for x, y, rw, rh in rects:
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(w, x + rw), min(h, y + rh)
        if x1 > x0 and y1 > y0:
            grid[y0 // tile : (y1 - 1) // tile + 1, x0 // tile : (x1 - 1) // tile + 1] = True
    if not grid.any():
        return []
    if grid.sum() > FULL_SHARE * grid.size:
        return [(0, 0, w, h)]
    runs: dict[tuple[int, int], list[int]] = {}  # (first col, end col) -> [first row, end row]
    out: list[tuple[int, int, int, int]] = []

    def close(c0: int, c1: int, r0: int, r1: int) -> None:
        x0, y0 = c0 * tile, r0 * tile
        out.append((x0, y0, min(w, c1 * tile) - x0, min(h, r1 * tile) - y0))

    for r in range(rows):
        line = grid[r]
        here: list[tuple[int, int]] = []
        c = 0
        while c < cols:
            if line[c]:
                c0 = c
                while c < cols and line[c]:
                    c += 1
                here.append((c0, c))
            c += 1
        for span in list(runs):
            if span not in here:
                close(span[0], span[1], *runs.pop(span))
        for span in here:
            if span in runs:
                runs[span][1] = r + 1
            else:
                runs[span] = [r, r + 1]
    for span, (r0, r1) in runs.items():
        close(span[0], span[1], r0, r1)
    return out
