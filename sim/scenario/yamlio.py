"""Safe YAML reading: plain data plus the line of every dotted path.

Only what `yaml.safe_load` accepts is read, with stricter rules an analyst benefits from:
duplicate keys are errors (PyYAML keeps the last one silently), `yes/no/on/off` stay words
(YAML 1.2 booleans are only true/false), NaN and infinity are refused, and size, depth and
alias expansion are bounded so a hostile file fails fast instead of exhausting memory.
"""

from __future__ import annotations

import errno
import math
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError, Problem, Where

MAX_BYTES = 2_000_000  # a real scenario is a few kB; this leaves room for generated ones
MAX_NODES = 200_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 64

Positions = dict[tuple, int]  # path tuple -> 1-based line


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2-style implicit types: only true/false are booleans."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0|[-+]?[1-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    def __init__(self, stream: str):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)


try:  # libyaml's parser when PyYAML was built with it: the same events, several times faster
    class _FastLoader(yaml.cyaml.CParser, yaml.constructor.SafeConstructor, _Resolver):
        def __init__(self, stream: str):
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _FastLoader = _Loader  # type: ignore[misc,assignment]


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}

_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a scenario file, or None: it must exist and be a regular
    file (not a directory, a device, a pipe or a loop of symbolic links)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "not found"
    except OSError as e:
        return "is a symlink loop" if e.errno == errno.ELOOP else f"cannot be read: {e.strerror}"
    if stat.S_ISDIR(mode):
        return "is a directory"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def read_text(path: Path) -> str:
    """The file's text, refusing what cannot be a scenario before parsing it. At most
    MAX_BYTES are ever read, whatever the size the file reports (a device or a pipe reports
    none), so reading is bounded."""
    where = Where(str(path))
    problem = file_problem(path)
    if problem == "not found":
        raise InputError(Problem(where, "file not found"))
    if problem == "is a directory":
        raise InputError(Problem(where, "is a directory, expected a YAML file"))
    if problem and problem != "is not a regular file":  # a pipe or a device is read, bounded
        raise InputError(Problem(where, problem))
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise InputError(Problem(where, f"cannot read: {e.strerror}")) from None
    if len(raw) > MAX_BYTES:
        size = path.stat().st_size
        shown = f"file is {size / 1e6:.1f} MB" if size > MAX_BYTES else "more than 2 MB to read"
        raise InputError(Problem(where, f"{shown}; a scenario must be under "
                                        f"{MAX_BYTES / 1e6:.0f} MB"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(Problem(where, "UTF-16 text; save the file as UTF-8"))
    if b"\x00" in raw:
        raise InputError(Problem(where, "binary file (NUL bytes); expected UTF-8 YAML text"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            Problem(where, f"not UTF-8 text (bad byte at offset {e.start}); expected UTF-8 YAML")
        ) from None


def parse(text: str, file: str = "", kind: str = "scenario") -> tuple[Any, Positions]:
    """Parse one YAML document (a `kind` of file) into plain data and a path -> line
    table."""
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise InputError(Problem(Where(file), f"file is empty; expected a {kind} mapping"))
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        raise InputError(_yaml_problem(e, file, text)) from None
    except yaml.YAMLError as e:
        raise InputError(Problem(Where(file), f"invalid YAML: {e}")) from None
    finally:
        loader.dispose()
    if node is None:
        raise InputError(Problem(Where(file), f"file is empty; expected a {kind} mapping"))
    size, _ = expanded_size(node)
    if size > MAX_NODES:
        raise InputError(
            Problem(Where(file, 1), f"document expands to more than {MAX_NODES} nodes "
                                    "(nested aliases?); write the data out plainly"))
    positions: Positions = {}
    budget = [MAX_NODES]
    data = _build(node, (), positions, budget, file, loader, 0)
    return data, positions


def expanded_size(node) -> tuple[int, int]:
    """(how many nodes the document has once its aliases are expanded, how many distinct
    nodes were visited to find out). An alias shares its anchor's node, so each distinct node
    is sized once: an alias bomb is measured in a few hundred steps, never expanded."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # collections whose children are being sized
    stack = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        if isinstance(current, yaml.ScalarNode):
            sizes[key] = 1
            continue
        items = [x for pair in current.value for x in pair] if isinstance(
            current, yaml.MappingNode) else list(current.value)
        if children_done:
            open_.discard(key)
            sizes[key] = min(1 + sum(sizes[id(x)] for x in items), MAX_NODES + 1)
        elif any(id(x) in open_ or x is current for x in items):
            return MAX_NODES + 1, len(sizes)  # a node that contains itself never ends
        else:
            open_.add(key)
            stack.append((current, True))
            stack.extend((x, False) for x in items if id(x) not in sizes)
    return sizes[id(node)], len(sizes)


def _yaml_problem(e: yaml.MarkedYAMLError, file: str, text: str) -> Problem:
    mark = e.problem_mark or e.context_mark
    line = mark.line + 1 if mark else 0
    problem = (e.problem or str(e)).strip()
    if "'\\t'" in problem or "\\t" in problem or _tab_at(mark, text):
        msg = "tab character; YAML indentation must use spaces"
    elif "found duplicate anchor" in problem:
        msg = problem
    else:
        context = f" ({e.context.strip()})" if e.context else ""
        msg = f"invalid YAML: {problem}{context}"
    return Problem(Where(file, line), msg)


def _tab_at(mark, text: str) -> bool:
    """libyaml reports a tab as 'a character that cannot start any token': look at it."""
    if mark is None:
        return False
    lines = text.splitlines()
    return mark.line < len(lines) and lines[mark.line][mark.column: mark.column + 1] == "\t"


def _build(node, path, positions, budget, file, loader, depth):
    budget[0] -= 1
    line = node.start_mark.line + 1
    if budget[0] < 0:
        raise InputError(
            Problem(Where(file, line), f"document expands to more than {MAX_NODES} nodes "
                                       "(nested aliases?); write the data out plainly")
        )
    if depth > MAX_DEPTH:
        raise InputError(Problem(Where(file, line), f"nesting deeper than {MAX_DEPTH} levels"))
    positions.setdefault(path, line)
    where = Where(file, line, _dotted(path))
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
        raise InputError(Problem(where, f"unsupported YAML tag {node.tag}; write plain values"))
    if isinstance(node, yaml.MappingNode):
        written = {id(k) for k, _ in node.value}
        loader.flatten_mapping(node)  # resolves `<<` merge keys the way safe_load does
        out: dict = {}
        merged: set = set()  # keys that came from a `<<` merge: the mapping's own keys win
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError(Problem(where, "mapping keys must be plain scalars"))
            key = _scalar(key_node, loader, file, path)
            if isinstance(key, float):
                key = repr(key)
            if id(key_node) not in written:
                merged.add(key)
            elif key in merged:
                merged.discard(key)
                out.pop(key)
            if key in out and id(key_node) in written:
                first = positions.get((*path, key), 0)
                raise InputError(
                    Problem(Where(file, key_node.start_mark.line + 1, _dotted((*path, key))),
                            f"duplicate key '{key}' (first written at line {first}); "
                            "keep one")
                )
            positions[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), positions, budget, file, loader,
                              depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, i), positions, budget, file, loader, depth + 1)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, loader, file, path)


def _scalar(node, loader, file, path):
    where = Where(file, node.start_mark.line + 1, _dotted(path))
    if node.tag not in _SCALAR_TAGS:
        raise InputError(Problem(where, f"unsupported YAML tag {node.tag}; write plain values"))
    value = loader.construct_object(node, deep=True)
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(Problem(where, f"{node.value} is not a finite number"))
    return value


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def dump(data: Any) -> str:
    """YAML text that `parse` reads back to equal data."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
