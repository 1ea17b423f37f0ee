"""A small reader of the PDF files sandbox.io.pdf writes, for tests (no PDF library needed): it
checks the file's structure (header, cross-reference offsets, trailer), and returns the document
information, the page size and the page's content stream split into its marked-content sections,
so tests can count and read the paths drawn."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np


@dataclass
class PdfPage:
    info: dict[str, str]  # Title, Subject, Keywords...
    size: tuple[float, float]  # the MediaBox's width and height
    sections: dict[str, str]  # marked-content tag -> the operators inside
    objects: dict[int, bytes]
    shadings: int  # /ShadingType objects


def _string(raw: bytes) -> str:
    out, i = bytearray(), 0
    while i < len(raw):
        ch = raw[i : i + 1]
        if ch == b"\\":
            nxt = raw[i + 1 : i + 2]
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(nxt, nxt)
            i += 2
        else:
            out += ch
            i += 1
    return out.decode("latin-1")


def read_pdf(data: bytes) -> PdfPage:
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    assert data[start : start + 4] == b"xref"
    head = re.match(rb"xref\s+0 (\d+)\s+", data[start:])
    count = int(head.group(1))
    rows = data[start + head.end() :].split(b"\n")[:count]
    objects: dict[int, bytes] = {}
    for num, row in enumerate(rows):
        offset, _, kind = row.split()[:3]
        if kind != b"n":
            continue
        at = int(offset)
        assert data[at:].startswith(f"{num} 0 obj".encode()), f"object {num} not at {at}"
        end = data.index(b"endobj", at)
        objects[num] = data[at:end]
    trailer = data[data.index(b"trailer", start) :]
    info_ref = int(re.search(rb"/Info (\d+) 0 R", trailer).group(1))
    info = {
        k.decode(): _string(v)
        for k, v in re.findall(rb"/(\w+) \(((?:\\.|[^\\)])*)\)", objects[info_ref])
    }
    page = next(o for o in objects.values() if re.search(rb"/Type /Page\b", o))
    box = [float(v) for v in re.search(rb"/MediaBox \[([^\]]*)\]", page).group(1).split()]
    contents = int(re.search(rb"/Contents (\d+) 0 R", page).group(1))
    stream_obj = objects[contents]
    length = int(re.search(rb"/Length (\d+)", stream_obj).group(1))
    body = stream_obj[stream_obj.index(b"stream") + len(b"stream") :].lstrip(b"\r\n")[:length]
    text = zlib.decompress(body).decode("latin-1")
    sections = {
        m.group(1): m.group(2) for m in re.finditer(r"/(\w+) BMC\n(.*?)\nEMC", text, re.DOTALL)
    }
    shadings = sum(1 for o in objects.values() if b"/ShadingType" in o)
    return PdfPage(info, (box[2] - box[0], box[3] - box[1]), sections, objects, shadings)


@dataclass
class PdfPath:
    points: np.ndarray  # (N, 2) the corners (m and l operators), page points
    fill: tuple[float, ...]  # the fill colour (rg) in force
    op: str  # the painting operator: B, f, S, W n...


def region_paths(regions: str) -> list[PdfPath]:
    """The closed polygons of a /Regions section in drawing order, with the fill in force; a
    gradient's clip path is listed as op 'W'."""
    out: list[PdfPath] = []
    pts: list[tuple[float, float]] = []
    fill: tuple[float, ...] = ()
    stack: list[str] = []
    for tok in regions.split():
        if tok in ("m", "l"):
            pts.append((float(stack[-2]), float(stack[-1])))
        elif tok == "rg":
            fill = tuple(float(v) for v in stack[-3:])
        elif tok in ("B", "f", "W"):
            out.append(PdfPath(np.array(pts), fill, tok))
            pts = []
        if tok.isalpha():
            stack = []
        else:
            stack.append(tok)
    return out


def polygon_area(p: np.ndarray) -> float:
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
