"""Hypothesis generators shared by the whole suite: valid scenario dicts, and ways to break one.

A generated scenario always loads: red lines and rules are drawn so that one randomly chosen
"witness" deal satisfies them all, weights have a positive entry, every value is in [0, 1].
Numbers are drawn on a 0.001 grid so that ties, which real scenarios have, occur now and then.
"""

from __future__ import annotations

import copy

from hypothesis import strategies as st

unit = st.integers(0, 1000).map(lambda i: i / 1000)


@st.composite
def issue_dicts(draw, kinds=("discrete", "numeric", "boolean"), max_levels: int = 4):
    kind = draw(st.sampled_from(kinds))
    if kind == "discrete":
        n = draw(st.integers(2, max_levels))
        return {"levels": [f"l{j}" for j in range(n)]}
    if kind == "boolean":
        return {"type": "boolean"}
    hi = draw(st.sampled_from([1, 10, 100]))
    n = draw(st.integers(1, max_levels - 1))
    return {"range": [0, hi], "step": hi / n}


def _levels(issue: dict) -> list:
    if "levels" in issue:
        return issue["levels"]
    if issue.get("type") == "boolean":
        return [False, True]
    hi, step = issue["range"][1], issue["step"]
    return [round(k * step, 10) for k in range(round(hi / step) + 1)]


def _value_function(draw, issue: dict):
    if "range" in issue:
        form = draw(st.sampled_from(["increasing", "decreasing", "points"]))
        if form != "points":
            return {"linear": form}
        hi = issue["range"][1]
        return {"points": [[0, draw(unit)], [hi / 2, draw(unit)], [hi, draw(unit)]]}
    return {("true" if lv is True else "false" if lv is False else lv): draw(unit)
            for lv in _levels(issue)}


@st.composite
def body_dicts(draw, issues: dict, parties: list[str]):
    """A referendum or a legislature reading one or two issues, maybe only on some deals."""
    names = list(issues)
    effects = {}
    for k in draw(st.permutations(names))[: draw(st.integers(1, min(2, len(names))))]:
        if "range" in issues[k]:
            effects[k] = {"slope": draw(st.integers(-30, 30)) / 10 / issues[k]["range"][1]}
        else:
            levels = _levels(issues[k])
            effects[k] = {("true" if lv is True else "false" if lv is False else lv):
                          draw(st.integers(-20, 20)) / 10 for lv in levels}
    body = {"intercept": draw(st.integers(-10, 20)) / 10, "effects": effects,
            "swing_sd": draw(st.sampled_from([0.0, 0.3, 1.0])),
            "party": draw(st.sampled_from(parties))}
    if draw(st.booleans()):
        k = draw(st.sampled_from(names))
        body["applies_when"] = {k: draw(st.sampled_from(_levels(issues[k])))}
    if draw(st.booleans()):
        return {"kind": "referendum", **body,
                "pass_share": draw(st.sampled_from([0.5, 0.6]))}
    seats = draw(st.integers(3, 9))
    return {"kind": "legislature", **body, "seats": seats,
            "pass_votes": draw(st.integers(1, seats))}


@st.composite
def scenario_dicts(draw, max_issues: int = 4, max_parties: int = 4, max_levels: int = 4,
                   kinds=("discrete", "numeric", "boolean"), red_lines: bool = True,
                   rules: bool = True, interactions: bool = True, veto: bool = True,
                   bodies: bool = True):
    """A valid scenario as plain data (what YAML would load)."""
    n_issues = draw(st.integers(1, max_issues))
    issues = {f"i{k}": draw(issue_dicts(kinds, max_levels)) for k in range(n_issues)}
    names = list(issues)
    n_parties = draw(st.integers(2, max_parties))
    witness = {k: draw(st.integers(0, len(_levels(issues[k])) - 1)) for k in names}
    parties = {}
    for p in range(n_parties):
        weights = {k: draw(unit) for k in names}
        if sum(weights.values()) == 0:
            weights[names[0]] = 1.0
        party = {
            "weights": weights,
            "values": {k: _value_function(draw, issues[k]) for k in names},
            "reservation": draw(st.integers(0, 700).map(lambda i: i / 1000)),
        }
        if veto and p > 1 and draw(st.booleans()):
            party["veto"] = False
        if red_lines and draw(st.integers(0, 3)) == 0:
            k = draw(st.sampled_from(names))
            levels = _levels(issues[k])
            j = draw(st.sampled_from([j for j in range(len(levels)) if j != witness[k]]))
            party["red_lines"] = [{"when": {k: levels[j]}, "note": f"no {k}={levels[j]}"}]
        if interactions and len(names) > 1 and draw(st.integers(0, 3)) == 0:
            a, b = draw(st.permutations(names))[:2]
            party["interactions"] = [{
                "when": {a: _levels(issues[a])[-1], b: _levels(issues[b])[0]},
                "add": draw(st.integers(-200, 200).map(lambda i: i / 1000)),
            }]
        parties[f"p{p}"] = party
    data = {"name": "generated", "issues": issues, "parties": parties}
    if rules and len(names) > 1 and draw(st.integers(0, 2)) == 0:
        # when a is at some level, b must be at least a level the witness meets
        a, b = draw(st.permutations(names))[:2]
        la, lb = _levels(issues[a]), _levels(issues[b])
        floor = draw(st.integers(0, witness[b]))
        data["rules"] = [{"when": {a: draw(st.sampled_from(la))},
                          "require": {b: {"at_least": lb[floor]}}}]
    if bodies and draw(st.integers(0, 2)) == 0:
        data["ratification"] = {"vote": draw(body_dicts(issues, list(parties)))}
    return data


# --- breaking a valid scenario in one place ------------------------------------------------

BREAKS = ("negative_weight", "value_above_one", "unknown_level", "reservation_text",
          "unknown_key", "all_zero_weights", "unknown_issue_weight")


@st.composite
def broken_scenarios(draw, **kwargs):
    """(data, dotted path of the broken value, kind of break)."""
    data = copy.deepcopy(draw(scenario_dicts(**kwargs)))
    kind = draw(st.sampled_from(BREAKS))
    party = draw(st.sampled_from(sorted(data["parties"])))
    p = data["parties"][party]
    issue = draw(st.sampled_from(sorted(data["issues"])))
    if kind == "negative_weight":
        p["weights"][issue] = -0.5
        return data, f"parties.{party}.weights.{issue}", kind
    if kind == "all_zero_weights":
        p["weights"] = dict.fromkeys(p["weights"], 0)
        return data, f"parties.{party}.weights", kind
    if kind == "unknown_issue_weight":
        p["weights"]["nosuchissue"] = 0.5
        return data, f"parties.{party}.weights.nosuchissue", kind
    if kind == "reservation_text":
        p["reservation"] = "high"
        return data, f"parties.{party}.reservation", kind
    if kind == "unknown_key":
        p["reservaton"] = 0.3
        return data, f"parties.{party}.reservaton", kind
    fn = p["values"][issue]
    if "linear" in fn or "points" in fn:
        if kind == "value_above_one" and "points" in fn:
            fn["points"][1][1] = 1.5
            return data, f"parties.{party}.values.{issue}.points.1.1", kind
        p["values"][issue] = {"linear": "sideways"}
        return data, f"parties.{party}.values.{issue}.linear", kind
    level = draw(st.sampled_from(sorted(fn)))
    if kind == "value_above_one":
        fn[level] = 1.5
        return data, f"parties.{party}.values.{issue}.{level}", kind
    fn["zz_not_a_level"] = fn.pop(level)
    return data, f"parties.{party}.values.{issue}.zz_not_a_level", kind
