"""Dotted paths into scenario data (`parties.russia.reservation`), for sweeps and uncertainty."""

from __future__ import annotations

import copy
from typing import Any

from sim.errors import excerpt, listing


def split(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def get(data: Any, path: str) -> Any:
    """The value at `path`; KeyError names the first part that does not resolve."""
    node = data
    done: list[str] = []
    for part in split(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            at = excerpt(".".join(done), 80) or "the top level"
            valid = listing(node) if isinstance(node, dict) else ""
            raise KeyError(f"'{excerpt(part)}' not found under {at}"
                           + (f"; valid: {valid}" if valid else ""))
        done.append(str(part))
    return node


FIXED = ("issues", "packages", "name", "extends")  # the same in every draw and design point


def cannot_vary(data: dict, path: str) -> str | None:
    """Why `path` cannot be drawn or swept (None if it can): it must name one value, outside
    the deal space and the packages."""
    if path.split(".")[0] in FIXED:
        return ("the deal space and the packages are the same at every design point and in "
                "every draw; vary parties, no_deal, ratification, rules, settings or dynamics")
    try:
        value = get(data, path)
    except KeyError as e:
        hint = ("; the scenario has no dynamics: section: write `dynamics: {}` to vary its "
                "defaults" if path.startswith("dynamics.") and data.get("dynamics") is None
                else "")
        return f"path does not resolve: {e.args[0]}{hint}"
    if isinstance(value, dict | list):
        return "path names a section, not a single value"
    return None


def set_values(data: dict, values: dict[str, Any]) -> dict:
    """A deep copy of `data` with each dotted path set; every path must already resolve."""
    out = copy.deepcopy(data)
    for path, value in values.items():
        *head, last = split(path)
        parent = get(out, ".".join(map(str, head))) if head else out
        if isinstance(parent, dict):
            key = last if last in parent else str(last)
            if key not in parent:
                raise KeyError(f"'{last}' not found under {'.'.join(map(str, head))}")
            parent[key] = value
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            parent[last] = value
        else:
            raise KeyError(f"'{last}' not found under {'.'.join(map(str, head))}")
    return out
