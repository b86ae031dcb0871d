"""Loading a scenario: YAML file(s) -> merged data -> validated `Scenario`.

Every problem is reported as file:line: dotted.path: what is wrong and what would be valid.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import InputError, Problem, Where, excerpt
from sim.scenario import paths, yamlio
from sim.scenario.model import Scenario

Located = dict[tuple, tuple[str, int]]  # path -> (file, line)


class Source:
    """Merged scenario data and where each path was written, for error messages."""

    def __init__(self, data: dict, located: Located, file: str = ""):
        self.data = data
        self.located = located
        self.file = file

    def where(self, path: tuple) -> Where:
        for n in range(len(path), -1, -1):
            hit = self.located.get(tuple(path[:n]))
            if hit:
                return Where(hit[0], hit[1], _dotted(path))
        return Where(self.file, 0, _dotted(path))


def _dotted(path: tuple) -> str:
    """A dotted path as messages show it: each part cut to a short excerpt."""
    return ".".join(excerpt(p) for p in path)


def read(path: str | Path, _stack: tuple[Path, ...] = ()) -> Source:
    """Read a scenario file, resolving `extends:` (relative to the file) recursively."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _stack:
        chain = " -> ".join(p.name for p in (*_stack, resolved))
        raise InputError(Problem(Where(str(path)), f"circular extends: {chain}"))
    text = yamlio.read_text(path)
    data, lines = yamlio.parse(text, str(path))
    if not isinstance(data, dict):
        raise InputError(Problem(Where(str(path), 1), "a scenario must be a mapping of keys "
                                                       "(name, issues, parties, ...)"))
    sections = list(Scenario.model_fields)
    if data and not any(difflib.get_close_matches(str(k), sections, n=1, cutoff=0.6)
                        for k in data):
        # Not a scenario at all (a wrong file): one line, quoting only a short excerpt.
        first = excerpt(next(iter(data)))
        more = f" and {len(data) - 1} more" if len(data) > 1 else ""
        raise InputError(Problem(Where(str(path), 1), "not a scenario: no key is a scenario "
                                 f"section (name, issues, parties, ...); found '{first}'{more}"))
    located = {p: (str(path), ln) for p, ln in lines.items()}
    base_ref = data.get("extends")
    if base_ref is None:
        return Source(data, located, str(path))
    if not isinstance(base_ref, str):
        raise InputError(Problem(Where(str(path), lines.get(("extends",), 0), "extends"),
                                 "extends takes a file name, e.g. extends: base.yaml"))
    base_path = path.parent / base_ref
    problem = yamlio.file_problem(base_path)
    if problem is not None:  # a base must be a regular file: never a device, pipe or folder
        looked = (f" (looked for {excerpt(base_path, 200)})" if problem == "not found"
                  else "")
        raise InputError(Problem(Where(str(path), lines.get(("extends",), 0), "extends"),
                                 f"base scenario '{excerpt(base_ref, 200)}' "
                                 f"{problem}{looked}"))
    base = read(base_path, (*_stack, resolved))
    overlay = {k: v for k, v in data.items() if k != "extends"}
    try:
        merged = merge(base.data, overlay)
    except UnknownEntry as e:
        at = next((lines[e.path[:n]] for n in range(len(e.path), 0, -1)
                   if e.path[:n] in lines), 0)
        raise InputError(Problem(Where(str(path), at, _dotted(e.path)), str(e))) from None
    # Paths the overlay wrote, or deleted, point at the overlay; the rest at the base.
    keep = {p: w for p, w in base.located.items() if _survives(merged, p)}
    keep.update({_indexed(merged, p): w for p, w in located.items() if p != ("extends",)})
    return Source(merged, keep, str(path))


def _indexed(data: Any, path: tuple) -> tuple:
    """An overlay's path with each list entry it named by `name:` turned into its place,
    as validation reports it (`red_lines.european_force.holds` -> `red_lines.5.holds`)."""
    out, node = [], data
    for part in path:
        if isinstance(node, list) and (i := paths.named(node, part)) is not None:
            part = i
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


class UnknownEntry(ValueError):
    """An overlay edits a list entry by a name no entry of the base's list has."""

    def __init__(self, path: tuple, names: list[str]):
        self.path = path
        valid = ", ".join(names) if names else "none: give entries a `name:` in the base"
        super().__init__(f"no entry of the base's list is named '{excerpt(path[-1])}'; "
                         f"named: {valid}")


def merge(base: Any, overlay: Any, at: tuple = ()) -> Any:
    """Deep merge: mappings merge key by key, `null` deletes a key, a mapping over a list
    edits the list's entries by their `name:` (`red_lines: {european_force: {holds:
    false}}`), anything else replaces (a list replaces a list whole)."""
    if isinstance(base, list) and isinstance(overlay, dict):
        return _edit_named(base, overlay, at)
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return overlay
    out = dict(base)
    for key, value in overlay.items():
        if value is None:
            out.pop(key, None)
        elif key in out:
            out[key] = merge(out[key], value, (*at, key))
        else:
            out[key] = value
    return out


def _edit_named(entries: list, edits: dict, at: tuple) -> list:
    """The base's list with its named entries merged with (or, for `null`, deleted by) the
    edits; the other entries and the order stay as they were."""
    out = list(entries)
    for name, value in edits.items():
        i = paths.named(entries, name)
        if i is None:
            raise UnknownEntry((*at, name), [n for n in paths.entry_names(entries) if n])
        out[i] = None if value is None else merge(entries[i], value, (*at, name))
    return [e for e in out if e is not None]


def _survives(data: Any, path: tuple) -> bool:
    node = data
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        if in_dict or isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return False
    return True


def load(path: str | Path) -> Scenario:
    """Load, validate and check a scenario file; raises InputError listing every problem."""
    return validate(read(path))


def from_dict(data: dict, file: str = "<dict>", packages_keep_rules: bool = True
              ) -> Scenario:
    """Validate and check scenario data that is already in memory (without
    `packages_keep_rules`, a package may break a rule: see check.check)."""
    return validate(Source(data, {}, file), packages_keep_rules)


def validate(src: Source, packages_keep_rules: bool = True) -> Scenario:
    try:
        scenario = Scenario.model_validate(src.data)
    except ValidationError as e:
        raise InputError(_translate(e, src)) from None
    from sim.scenario.check import check  # cross-reference checks need the model first

    problems = check(scenario, packages_keep_rules)
    if problems:
        raise InputError([Problem(src.where(path), msg) for path, msg in problems])
    return scenario


def load_as(path: str | Path, model: type[BaseModel], kind: str) -> tuple[BaseModel, Source]:
    """Another kind of file (a sweep file): read as YAML and validated against `model`, its
    problems located and worded as a scenario's are."""
    text = yamlio.read_text(Path(path))
    data, lines = yamlio.parse(text, str(path), kind)
    if not isinstance(data, dict):
        raise InputError(Problem(Where(str(path), 1), f"a {kind} must be a mapping of keys "
                                 f"({', '.join(list(model.model_fields)[:3])}, ...)"))
    fields = list(model.model_fields)
    close = [k for k in data if difflib.get_close_matches(str(k), fields, n=1, cutoff=0.75)]
    if data and not set(data) & set(fields) and len(close) <= len(data) // 2:
        # mostly keys of something else (a scenario given as a sweep file): one line
        first = excerpt(next(iter(data)))
        more = f" and {len(data) - 1} more" if len(data) > 1 else ""
        raise InputError(Problem(Where(str(path), 1), f"not a {kind}: no key is one of its "
                                 f"keys ({', '.join(fields[:3])}, ...); found '{first}'{more}"))
    src = Source(data, {p: (str(path), ln) for p, ln in lines.items()}, str(path))
    try:
        return model.model_validate(data), src
    except ValidationError as e:
        raise InputError(_translate(e, src, model)) from None


# --- pydantic errors -> located, helpful messages --------------------------------------------


def _translate(error: ValidationError, src: Source,
               root: type[BaseModel] = Scenario) -> list[Problem]:
    grouped: dict[tuple, list[dict]] = {}
    models: dict[tuple, type[BaseModel] | None] = {}
    for err in error.errors(include_url=False):
        path, model = _clean(err["loc"], root)
        path = _within_data(path, src.data)
        grouped.setdefault(path, []).append(err)
        models.setdefault(path, model)
    # A misspelled key is both unknown and missing: report it once, as the misspelling.
    extra = {path for path, errs in grouped.items()
             if any(e["type"] == "extra_forbidden" for e in errs)}
    for path in list(grouped):
        if all(e["type"] == "missing" for e in grouped[path]) and any(
            x[:-1] == path[:-1]
            and difflib.get_close_matches(str(x[-1]), [str(path[-1])], cutoff=0.5)
            for x in extra
        ):
            del grouped[path]
    out = []
    for path, errs in grouped.items():
        if len(errs) > 1 and all(e["type"] not in ("extra_forbidden", "missing") for e in errs):
            # One value failed every branch of a union: say what any branch would take.
            wanted = sorted({e["msg"].removeprefix("Input should be ").split(",")[0]
                             for e in errs if e["type"] != "value_error"})
            shown = repr(errs[0].get("input"))
            msgs = [e["msg"].removeprefix("Value error, ") for e in errs
                    if e["type"] == "value_error"]
            msg = "; ".join(msgs) if msgs else f"expected {' or '.join(wanted)}, got {shown}"
            out.append(Problem(src.where(path), msg))
            continue
        for err in errs:
            out.append(Problem(src.where(path), _message(err, path, models[path])))
    return sorted(out, key=lambda p: (p.where.file, p.where.line))


def _message(err: dict, path: tuple, model: type[BaseModel] | None) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = path[-1]
        valid = list(model.model_fields) if model else []
        near = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'? " if near else ""
        return f"unknown key '{excerpt(key)}'; {hint}valid: {', '.join(valid)}"
    if kind == "missing":
        return f"missing required field '{path[-1]}'"
    if kind == "union_tag_invalid":  # a tagged union's tag (`kind:`, `strategy:`) misspelled
        ctx = err.get("ctx", {})
        tag, field = str(ctx.get("tag")), str(ctx.get("discriminator", "")).strip("'")
        valid = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        near = difflib.get_close_matches(tag, valid, n=1, cutoff=0.5)
        hint = f"did you mean '{near[0]}'? " if near else ""
        return f"unknown {field} '{excerpt(tag)}'; {hint}valid: {', '.join(valid)}"
    msg = err["msg"].removeprefix("Value error, ")
    if kind not in ("value_error", "assertion_error") and "input" in err:
        shown = repr(err["input"])
        if len(shown) <= 60:
            msg += f", got {shown}"
    return msg


def _within_data(path: tuple, data: Any) -> tuple:
    """Cut the path where the data holds a scalar: union tags past that point mean nothing."""
    node = data
    for n, part in enumerate(path):
        if isinstance(node, dict):
            if part not in node:
                return path[: n + 1]
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return path[:n]
    return path


def _clean(loc: tuple, root: type[BaseModel] = Scenario
           ) -> tuple[tuple, type[BaseModel] | None]:
    """Drop pydantic's union tags from `loc`; return the data path and the innermost model
    that owns the last element (for 'did you mean')."""
    path: list = []
    tp: Any = root
    owner: type[BaseModel] | None = None
    for part in loc:
        tp = _unwrap(tp)
        if _is_union(tp):
            chosen = _member(tp, part)
            if chosen is not None:
                tp = chosen
                continue
        tp = _unwrap(tp)
        path.append(part)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            owner = tp
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = field.annotation if field else None
        elif typing.get_origin(tp) in (dict, list, tuple):
            args = typing.get_args(tp)
            tp = args[-1] if args else None
            owner = None
        else:
            tp = None
            owner = None
    if path and owner is None:
        parent = _model_for(tuple(path[:-1]), root)
        owner = parent
    return tuple(path), owner


def _model_for(path: tuple, root: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    tp: Any = root
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = field.annotation if field else None
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if _is_union(tp):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return tp


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _member(tp: Any, tag: Any) -> Any:
    """The union member pydantic named `tag` in a location, if any."""
    for raw in typing.get_args(tp):
        arg = raw
        tags = []
        while typing.get_origin(arg) is typing.Annotated:
            args = typing.get_args(arg)
            tags += [getattr(m, "tag", None) for m in args[1:]]
            arg = args[0]
        if tag in tags:
            return arg
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            for discriminator in ("kind", "strategy"):  # the format's tagged unions
                field = arg.model_fields.get(discriminator)
                if field and tag in typing.get_args(field.annotation):
                    return arg
            if tag == arg.__name__:
                return arg
        elif isinstance(arg, type) and tag == arg.__name__:  # str, int, float, bool
            return arg
    return None
