"""One way to name a head, everywhere (URLs, widgets, figures, tables).

Rules
-----
A layer has `n_heads` attention heads and (ConvBERT only) `n_conv` convolution
heads. A head is a `HeadId(kind, index)` with kind "attn" or "conv".

- URL / widget token (`to_token`): attention head h -> "h" (e.g. "3"),
  conv head c -> "c{c}" (e.g. "c1"); the layer's mean is the token "mean"
  (`MEAN`).
- Display name (`display`): "H{h}" / "C{c}" (e.g. "H3", "C1"); with a layer,
  `qualified(layer, head)` -> "L{layer} {display}" (e.g. "L2 C1"), parsed back
  by `parse_qualified` (never by splitting strings by hand).
- Parsing (`parse`) accepts both forms, case-insensitive, surrounding spaces
  ignored: "3", "H3", "h3" -> attention head 3; "c1", "C1" -> conv head 1;
  "mean" -> MEAN. Anything else (negative, "zz", "3.0", "c", "") raises
  ValueError. Parsing does not know the model: check with `exists`.
- Slots (`to_slot` / `from_slot`): the concatenated order of a layer's heads used
  by metrics.all_heads and /compare: attention heads 0..n_heads-1 first, then
  conv head c at slot n_heads + c.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn, cast

MEAN = "mean"
ATTN, CONV = "attn", "conv"

_TOKEN = re.compile(r"^\s*([hc]?)([0-9]{1,6})\s*$", re.IGNORECASE | re.ASCII)
_QUALIFIED = re.compile(r"^\s*[lL]([0-9]{1,6})\s+(\S+)\s*$", re.ASCII)


@dataclass(frozen=True, order=True)
class HeadId:
    kind: str  # ATTN or CONV
    index: int

    def __post_init__(self) -> None:
        if self.kind not in (ATTN, CONV):
            raise ValueError(f"unknown head kind {self.kind!r}")
        if not isinstance(self.index, int) or self.index < 0:
            raise ValueError(f"head index must be an int >= 0, got {self.index!r}")

    @property
    def is_conv(self) -> bool:
        return self.kind == CONV

    @property
    def token(self) -> str:
        return to_token(self)

    @property
    def name(self) -> str:
        return display(self)


def attn(h: int) -> HeadId:
    return HeadId(ATTN, int(h))


def conv(c: int) -> HeadId:
    return HeadId(CONV, int(c))


def parse(value: object) -> HeadId | str:
    """A token or display name -> HeadId, or MEAN; ValueError if it names no head."""
    if isinstance(value, HeadId):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a head: {value!r}")  # noqa: TRY004 - the contract: ValueError for anything not a head
    if isinstance(value, int):
        return attn(value) if value >= 0 else _bad(value)
    text = str(value)
    if text.strip().lower() == MEAN:
        return MEAN
    m = _TOKEN.match(text)
    if not m:
        _bad(value)
    kind = CONV if m.group(1).lower() == "c" else ATTN
    return HeadId(kind, int(m.group(2)))


def _bad(value: object) -> NoReturn:
    raise ValueError(f"not a head: {str(value)[:40]!r}")


def to_token(head: HeadId | str) -> str:
    """URL / widget form: "3", "c1", "mean"."""
    if head == MEAN:
        return MEAN
    head = cast(HeadId, head)  # anything but MEAN is a HeadId
    return f"c{head.index}" if head.kind == CONV else str(head.index)


def display(head: HeadId | str) -> str:
    """Short display name: "H3", "C1" (MEAN stays "mean"; pages translate it)."""
    if head == MEAN:
        return MEAN
    head = cast(HeadId, head)  # anything but MEAN is a HeadId
    return f"C{head.index}" if head.kind == CONV else f"H{head.index}"


def qualified(layer: int, head: HeadId) -> str:
    """ "L2 C1": a head of a given layer (tables, head matching)."""
    return f"L{int(layer)} {display(head)}"


def parse_qualified(name: str) -> tuple[int, HeadId]:
    """ "L2 C1" -> (2, conv(1)); ValueError otherwise."""
    m = _QUALIFIED.match(str(name))
    if not m:
        _bad(name)
    head = parse(m.group(2))
    if not isinstance(head, HeadId):  # MEAN: not one head
        _bad(name)
    return int(m.group(1)), head


def exists(head: HeadId | str, n_heads: int, n_conv: int = 0) -> bool:
    """Does a layer with n_heads attention and n_conv conv heads have this head (MEAN always does)?"""
    if head == MEAN:
        return True
    head = cast(HeadId, head)  # anything but MEAN is a HeadId
    limit = n_conv if head.kind == CONV else n_heads
    return 0 <= head.index < limit


def options(n_heads: int, n_conv: int = 0, mean: bool = True) -> list[str]:
    """Tokens of every head of a layer in slot order, "mean" first if asked."""
    return ([MEAN] if mean else []) + [str(h) for h in range(n_heads)] + [f"c{c}" for c in range(n_conv)]


def layer_heads(n_heads: int, n_conv: int = 0) -> list[HeadId]:
    """Every head of a layer in slot order."""
    return [attn(h) for h in range(n_heads)] + [conv(c) for c in range(n_conv)]


def to_slot(head: HeadId, n_heads: int) -> int:
    """Index in the concatenated order (attention heads, then conv heads)."""
    return head.index if head.kind == ATTN else n_heads + head.index


def from_slot(slot: int, n_heads: int, n_conv: int = 0) -> HeadId:
    """Inverse of to_slot; ValueError for a slot the layer does not have."""
    slot = int(slot)
    if 0 <= slot < n_heads:
        return attn(slot)
    if n_heads <= slot < n_heads + n_conv:
        return conv(slot - n_heads)
    raise ValueError(f"slot {slot} does not exist ({n_heads} attention + {n_conv} conv heads)")


def slot_names(n_heads: int, n_conv: int = 0) -> list[str]:
    """Display names of a layer's heads in slot order: "H0".. then "C0".."""
    return [display(h) for h in layer_heads(n_heads, n_conv)]
