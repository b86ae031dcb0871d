"""Dotted paths into scenario data (`parties.russia.reservation`), for sweeps and uncertainty."""

from __future__ import annotations

from typing import Any

from sim.errors import excerpt, listing


def split(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def get(data: Any, path: str) -> Any:
    """The value at `path`; KeyError names the first part that does not resolve. A list
    entry is named by its place (`red_lines.2`) or by its `name:` (`red_lines.donbas_zone`)."""
    node = data
    done: list[str] = []
    for part in split(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, list) and (i := named(node, part)) is not None:
            node = node[i]
        else:
            at = excerpt(".".join(done), 80) or "the top level"
            valid = (listing(node) if isinstance(node, dict)
                     else _places(node) if isinstance(node, list) else "")
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
    """`data` with each dotted path set, leaving `data` as it was: the mappings and lists
    along the paths are copied, everything else is shared (a scenario is read, never
    changed, once it is data: a deep copy per design point would cost more than checking
    it). Every path must already resolve."""
    out = dict(data)
    for path, value in values.items():
        *head, last = split(path)
        node, done = out, []
        for part in head:  # copy each container on the way down, once
            key = _key(node, part, done)
            child = node[key]
            if not isinstance(child, dict | list):
                raise KeyError(f"'{last}' not found under {'.'.join(map(str, head))}")
            if id(child) == id(_at(data, done + [key])):
                child = dict(child) if isinstance(child, dict) else list(child)
                node[key] = child
            node, done = child, done + [key]
        node[_key(node, last, done)] = value
    return out


def _key(node: Any, part: str | int, done: list) -> str | int:
    """The key or index `part` names in `node` (KeyError saying where if none)."""
    if isinstance(node, dict):
        if part in node:
            return part
        if str(part) in node:
            return str(part)
    elif isinstance(node, list) and isinstance(part, int) and part < len(node):
        return part
    elif isinstance(node, list) and (i := named(node, part)) is not None:
        return i
    raise KeyError(f"'{part}' not found under {'.'.join(map(str, done)) or 'the top level'}")


def _places(entries: list) -> str:
    names = [n for n in entry_names(entries) if n]
    places = f"0 to {len(entries) - 1}" if entries else "none (the list is empty)"
    return places + (f", or a name: {listing(names)}" if names else "")


def entry_names(entries: list) -> list[str | None]:
    """Each entry's `name:` (None where it has none), in the list's order."""
    return [e.get("name") if isinstance(e, dict) else None for e in entries]


def named(entries: list, name: str | int) -> int | None:
    """The place of the entry called `name` in a list of entries (red lines may have a
    `name:`), or None: a path may say `red_lines.donbas_zone` for `red_lines.2`, and an
    overlay may edit that entry by its name."""
    names = entry_names(entries)
    return names.index(name) if isinstance(name, str) and name in names else None


def _at(data: Any, keys: list) -> Any:
    """The node of the original data at these keys (None where it has none)."""
    node = data
    for k in keys:
        try:
            node = node[k]
        except (KeyError, IndexError, TypeError):
            return None
    return node
