"""The story text markup: a small, validated subset of what pygame-gui text boxes render.

Level pages are shown in pygame-gui text boxes, which read an HTML-like markup. Level files may
use only the subset below, checked at load time so a typo shows up as a clear error instead of
raw tags on screen: <b>bold</b>, <i>italic</i>, <u>underlined</u>, <br> (a line break; a newline
in the text works too) and <font color='#RRGGBB'>colour</font> (hex colours, #RGB or #RRGGBB).
Tags must nest properly. A literal < or > is written &lt; or &gt;, and & alone or as &amp;.
"""

from __future__ import annotations

import re

MAX_PAGE_LENGTH = 2000

PAIRED_TAGS = ("b", "i", "u", "font")
ALLOWED_TAGS = ("b", "i", "u", "br", "font")
ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&amp;": "&"}  # &amp; last when decoding

_TAG = re.compile(r"<(/?)([a-zA-Z]+)((?:\s+[^<>]*)?)\s*(/?)>")
_FONT_ATTRS = re.compile(r"""^\s+color\s*=\s*(['"])(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6})\1\s*$""")
_ENTITY = re.compile(r"&[A-Za-z0-9#]+;")


class MarkupError(ValueError):
    """Story text that uses a tag or character outside the allowed subset."""


def _column(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {col}"


def validate_markup(text: str) -> None:
    """Raise MarkupError naming the first problem (with line and column) in `text`."""
    if not isinstance(text, str):
        raise MarkupError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise MarkupError("text is empty")
    if len(text) > MAX_PAGE_LENGTH:
        raise MarkupError(f"text is {len(text)} characters long; at most {MAX_PAGE_LENGTH}")
    stack: list[tuple[str, int]] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "<":
            m = _TAG.match(text, i)
            if m is None:
                raise MarkupError(
                    f"stray '<' at {_column(text, i)}; write &lt; for a less-than sign"
                )
            closing, name, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
            if name not in ALLOWED_TAGS:
                raise MarkupError(
                    f"tag <{closing}{name}> at {_column(text, i)} is not allowed; "
                    f"allowed: <b>, <i>, <u>, <br>, <font color='#RRGGBB'>"
                )
            if name == "br":
                if closing or attrs.strip():
                    raise MarkupError(f"write a line break as <br> (at {_column(text, i)})")
            elif closing:
                if attrs.strip() or selfclose:
                    raise MarkupError(f"malformed closing tag </{name}> at {_column(text, i)}")
                if not stack:
                    raise MarkupError(f"</{name}> at {_column(text, i)} closes nothing")
                if stack[-1][0] != name:
                    open_name, open_at = stack[-1]
                    raise MarkupError(
                        f"</{name}> at {_column(text, i)} does not match <{open_name}> "
                        f"opened at {_column(text, open_at)}"
                    )
                stack.pop()
            else:
                if selfclose:
                    raise MarkupError(f"<{name}/> at {_column(text, i)} must have a closing tag")
                if name == "font":
                    if not _FONT_ATTRS.match(attrs):
                        raise MarkupError(
                            f"<font> at {_column(text, i)} takes exactly one attribute, "
                            "color='#RRGGBB' (or #RGB)"
                        )
                elif attrs.strip():
                    raise MarkupError(f"<{name}> at {_column(text, i)} takes no attributes")
                stack.append((name, i))
            i = m.end()
            continue
        if c == ">":
            raise MarkupError(
                f"stray '>' at {_column(text, i)}; write &gt; for a greater-than sign"
            )
        if c == "&":
            m = _ENTITY.match(text, i)
            if m is not None:
                if m.group(0) not in ENTITIES:
                    raise MarkupError(
                        f"unknown entity {m.group(0)} at {_column(text, i)}; "
                        f"allowed: {', '.join(ENTITIES)}"
                    )
                i = m.end()
                continue
        i += 1
    if stack:
        name, at = stack[-1]
        raise MarkupError(f"<{name}> opened at {_column(text, at)} is never closed")


def plain_text(text: str) -> str:
    """The text without tags (line breaks kept), for consoles, logs and length checks."""
    out = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    out = _TAG.sub("", out)
    for entity, char in ENTITIES.items():
        out = out.replace(entity, char)
    return out
