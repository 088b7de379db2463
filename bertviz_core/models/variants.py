"""Model variants addressable as model ids: `<model>@<variant>`, e.g. `bert-minilm-l6@int8`, `x@prune=30%`.

A variant kind is registered by the module that builds it (bertviz_core.analysis.compress registers
`int8` and `prune` when bertviz_core is imported). `loading.load_model` resolves every id holding
"@" through this registry, so the loaders never import the builders (which sit on higher floors):

    register_variant("int8", r"int8", load_int8, example="<model>@int8")
    register_variant("prune", r"prune=(?P<pct>[0-9]{1,3}(?:\\.[0-9]+)?)%?", load_pruned,
                     value=lambda m: float(m["pct"]) / 100, example="<model>@prune=30%")

`parse("x@prune=30%")` -> ("x", "prune", 0.3); `load("x@int8")` calls the int8 kind's `load("x@int8")`,
which returns a LoadedModel whose id is the full variant id.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bertviz_core.models.loaded import LoadedModel

_ID = re.compile(r"^(?P<base>[^@\s]+)@(?P<variant>\S+)$")
MAX_SHOWN = 80  # characters of an id shown in a refusal


@dataclass(frozen=True)
class VariantKind:
    """One kind of variant.

    name: what `parse` returns as the kind ("int8").
    pattern: matched in full against the text after "@".
    load: full variant id -> LoadedModel (the builder loads the base model itself).
    value: the pattern's match -> the variant's argument (e.g. the pruned fraction); a ValueError
        refuses the id with its message. None: the argument is None.
    example: the id's syntax, listed when an id matches no kind ("<model>@int8").
    note: what the variant is and what it was measured on, in words (for documentation and model cards).
    """

    name: str
    pattern: re.Pattern[str]
    load: Callable[[str], LoadedModel]
    value: Callable[[re.Match[str]], object] | None = None
    example: str = ""
    note: str = ""


_kinds: dict[str, VariantKind] = {}
_lock = threading.Lock()


def register_variant(
    name: str,
    pattern: str,
    load: Callable[[str], LoadedModel],
    *,
    value: Callable[[re.Match[str]], object] | None = None,
    example: str = "",
    note: str = "",
) -> VariantKind:
    """Register (or replace) the variant kind `name`; returns it. See VariantKind for the arguments."""
    kind = VariantKind(name, re.compile(pattern), load, value, example or f"<model>@{name}", note)
    with _lock:
        _kinds[name] = kind
    return kind


def unregister_variant(name: str) -> None:
    """Remove the kind `name` (tests register temporary kinds)."""
    with _lock:
        _kinds.pop(name, None)


def kinds() -> tuple[VariantKind, ...]:
    """The registered kinds, in registration order."""
    with _lock:
        return tuple(_kinds.values())


def parse(name: str) -> tuple[str, str, object]:
    """'bert-minilm-l6@int8' -> ('bert-minilm-l6', 'int8', None); 'x@prune=30%' -> ('x', 'prune', 0.3).

    Raises ModelLoadError ("invalid_id") for an id that matches no registered kind, or whose value is refused."""
    from bertviz_core.models.loaded import ModelLoadError

    m = _ID.match(str(name).strip())
    base, variant = (m["base"], m["variant"]) if m is not None else ("", "")
    for kind in kinds() if base else ():
        found = kind.pattern.fullmatch(variant)
        if found is None:
            continue
        try:
            value = kind.value(found) if kind.value is not None else None
        except ValueError as exc:
            raise ModelLoadError(f"'{name}': {exc}", "invalid_id", name) from None
        return base, kind.name, value
    shown = str(name)[:MAX_SHOWN]
    raise ModelLoadError(
        f"'{shown}' is not a compressed variant: use {' or '.join(k.example for k in kinds())}.", "invalid_id", shown
    )


def load(name: str) -> LoadedModel:
    """The LoadedModel of variant id `name`, built by its kind's loader (ModelLoadError if it matches none)."""
    _, kind, _ = parse(name)
    with _lock:
        builder = _kinds[kind].load
    return builder(name)
