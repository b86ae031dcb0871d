"""sim compare: input differences by path, outcomes by terms, and the attribution's
properties: it sums to the change, a lone cause takes all of it, a null one none, symmetric
ones equal shares, and a small case with an interaction matches its values by hand."""

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sim
from sim import variants
from sim.variants import Difference, differences, mixed, players
from tests.builders import tariff_talks, with_issue, with_party
from tests.conftest import SCENARIOS
from tests.strategies import scenario_dicts

BERLIN = sim.load(SCENARIOS / "berlin-open.yaml")  # the default has no deal: its open reading


def data_of(scenario) -> dict:
    return scenario.model_dump(mode="json", exclude={"extends"})


def compare(a: dict, b: dict, **options):
    return variants.compare([sim.from_dict(a), sim.from_dict(b)], ["a", "b"], **options)


def with_none_quota(data: dict) -> dict:
    """A third quota level, `none`, valued by each party."""
    data = copy.deepcopy(data)
    data["issues"]["quota"] = {"levels": ["small", "large", "none"]}
    data["parties"]["exporter"]["values"]["quota"]["none"] = 0.5
    data["parties"]["importer"]["values"]["quota"]["none"] = 0.9
    return data


def line(name: str, reservations: tuple[float, float]) -> dict:
    """One issue x = 0..6; a likes it high, b low (value x/6 and 1 - x/6)."""
    return {"name": name, "issues": {"x": {"range": [0, 6], "step": 1}},
            "parties": {"a": {"weights": {"x": 1}, "values": {"x": {"linear": "increasing"}},
                              "reservation": reservations[0]},
                        "b": {"weights": {"x": 1}, "values": {"x": {"linear": "decreasing"}},
                              "reservation": reservations[1]}}}


@st.composite
def changed_pairs(draw):
    """A generated scenario and a variant moving some of its reservations, weights and
    powers."""
    a = draw(scenario_dicts(max_issues=3, max_parties=3, max_levels=3))
    b = copy.deepcopy(a)
    for party in b["parties"].values():
        if draw(st.booleans()):
            party["reservation"] = draw(st.integers(0, 900).map(lambda i: i / 1000))
        if draw(st.integers(0, 2)) == 0:
            issue = draw(st.sampled_from(sorted(party["weights"])))
            party["weights"][issue] = draw(st.integers(1, 100).map(lambda i: i / 100))
        if draw(st.integers(0, 3)) == 0:
            party["power"] = 2.0
    return a, b


# --- input differences ------------------------------------------------------------------


def test_differences_name_each_path_with_its_old_and_new_value():
    a = tariff_talks()
    b = with_party(a, "exporter", reservation=0.4)
    b = with_none_quota(b)
    b["parties"]["importer"]["values"]["quota"].pop("small")
    found = {d.path: d for d in differences(a, b)}
    assert found["parties.exporter.reservation"] == Difference(
        "parties.exporter.reservation", 0.3, 0.4)
    assert found["issues.quota.levels"].new == ["small", "large", "none"]
    assert found["parties.importer.values.quota.small"].kind == "removed"
    assert found["parties.importer.values.quota.none"].kind == "added"
    assert mixed(a, differences(a, b)) == b


def test_an_entry_inserted_in_a_list_is_one_addition_and_any_subset_applies():
    rule = [{"forbid": {"tariff": level}} for level in ("low", "mid", "high")]
    a = tariff_talks(rules=[rule[0], rule[2]])
    b = tariff_talks(rules=[rule[0], rule[1], rule[2], {"forbid": {"quota": "small"}}])
    found = differences(a, b)
    assert [(d.kind, d.path) for d in found] == [("added", "rules.1"), ("added", "rules.3")]
    assert mixed(a, found) == b and mixed(b, differences(b, a)) == a
    assert mixed(a, found[1:])["rules"] == [rule[0], rule[2], {"forbid": {"quota": "small"}}]
    c = tariff_talks(rules=[rule[1], {"forbid": {"quota": "large"}}])  # both changed in place
    assert [d.path for d in differences(a, c)] == ["rules.0.forbid.tariff",
                                                  "rules.1.forbid.tariff",
                                                  "rules.1.forbid.quota"]
    assert mixed(a, differences(a, c)) == c


def test_a_file_compared_with_itself_shows_no_difference():
    c = variants.compare([BERLIN, BERLIN], ["a", "b"])
    assert c.differences == ((),) and c.attribution is None
    assert (c.sets[0].entering, c.sets[0].leaving) == (0, 0)
    assert c.variants[0].metrics == c.variants[1].metrics


def test_an_issue_and_what_names_its_levels_are_one_player():
    # A new level and the value tables and package terms that name it cannot be applied apart
    # (a value table missing a level would not load): one player; the reservation is another.
    a = tariff_talks(packages={"deal": {"terms": {"tariff": "mid", "quota": "small"}}})
    b = with_none_quota(a)
    b["packages"]["deal"]["terms"]["quota"] = "none"
    b = with_party(b, "importer", reservation=0.2)
    found = players(differences(a, b))
    assert sorted(len(p.differences) for p in found) == [1, 4]
    assert any(p.name == "parties.importer.reservation" for p in found)


# --- outcomes by terms --------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changed_pairs())
def test_generated_pairs_mirror_and_each_compared_with_itself_shows_nothing(pair):
    a, b = pair
    assert mixed(a, differences(a, b)) == b and mixed(b, differences(b, a)) == a
    ab, ba = compare(a, b), compare(b, a)
    assert {d.path: (d.old, d.new) for d in ab.differences[0]} == {
        d.path: (d.new, d.old) for d in ba.differences[0]}
    assert (ab.sets[0].entering, ab.sets[0].leaving) == (ba.sets[0].leaving,
                                                         ba.sets[0].entering)
    if ab.attribution is not None:
        x, y = ab.attribution, ba.attribution
        for o in set(x.outcomes) & set(y.outcomes) - set(x.words) - set(y.words):
            mine = {p.name: x.values[k, x.outcomes.index(o)] for k, p in enumerate(x.players)}
            theirs = {p.name: y.values[k, y.outcomes.index(o)]
                      for k, p in enumerate(y.players)}
            assert mine == pytest.approx({k: -v for k, v in theirs.items()}, abs=1e-9), o
    same = compare(a, a)
    assert same.differences == ((),) and same.attribution is None
    assert (same.sets[0].entering, same.sets[0].leaving) == (0, 0)


def test_a_against_b_mirrors_b_against_a():
    a = line("a", (0.5, 0.2))
    b = with_party(line("b", (0.8, 0.45)), "b", power=2.0)
    ab, ba = compare(a, b), compare(b, a)
    forth = {d.path: (d.old, d.new) for d in ab.differences[0]}
    back = {d.path: (d.new, d.old) for d in ba.differences[0]}
    assert forth == back
    assert (ab.sets[0].entering, ab.sets[0].leaving) == (ba.sets[0].leaving,
                                                         ba.sets[0].entering)
    x, y = ab.attribution, ba.attribution
    for o in set(x.outcomes) & set(y.outcomes) - set(x.words) - set(y.words):
        i, j = x.outcomes.index(o), y.outcomes.index(o)
        mine = {p.name: x.values[k, i] for k, p in enumerate(x.players)}
        theirs = {p.name: y.values[k, j] for k, p in enumerate(y.players)}
        assert mine.keys() == theirs.keys()
        for name in mine:
            assert mine[name] == pytest.approx(-theirs[name], abs=1e-9), (o, name)


def test_scenarios_whose_issues_differ_still_compare_what_they_share():
    a = tariff_talks()
    b = with_issue(a, "duration", {"levels": ["short", "long"]}, {"short": 0.0, "long": 1.0})
    b["parties"]["exporter"]["weights"]["duration"] = 0.5
    c = compare(a, b)
    assert c.structures[0].added == {"issues": ["duration"]}
    assert c.sets[0].on == ("tariff", "quota") and "compared on the 2 issues" in c.sets[0].note
    assert any("deal spaces differ" in n for n in c.notes)
    assert c.variants[1].metrics["total"] == 2 * c.variants[0].metrics["total"]
    assert len(c.attribution.players) == 1  # the issue with the weights and values naming it


# --- attribution ------------------------------------------------------------------------


def test_an_interaction_is_shared_as_computed_by_hand():
    # a's reservation 0 -> 0.8 keeps x >= 5 (2 deals of 7); b's 0 -> 0.45 keeps x <= 3 (4);
    # both keep none. v(0) = 7, v(a) = 2, v(b) = 4, v(ab) = 0 (an interaction of +1), so
    # phi_a = (2 - 7)/2 + (0 - 4)/2 = -4.5 and phi_b = (4 - 7)/2 + (0 - 2)/2 = -2.5.
    c = compare(line("a", (0.0, 0.0)), line("a", (0.8, 0.45)))
    got = {p.name: v for p, v, _ in c.attribution.ranked("acceptable")}
    assert got == pytest.approx({"parties.a.reservation": -4.5,
                                 "parties.b.reservation": -2.5})
    assert c.attribution.method == "exact" and c.attribution.mixes == 4


def test_the_open_reading_against_three_judgements_ranks_them():
    sceptic = sim.load(SCENARIOS / "berlin-sceptic.yaml")
    c = variants.compare([BERLIN, sceptic], ["open", "sceptic"])
    ranked = c.attribution.ranked("acceptable")
    assert [p.name for p, _, _ in ranked] == [
        "ratification.ukraine_referendum.turnout", "parties.russia.weights.guarantee",
        "ratification.ukraine_referendum.effects.donbas.free_economic_zone"]
    assert sum(v for _, v, _ in ranked) == pytest.approx(-425)
    assert ranked[2][1] == pytest.approx(0.0, abs=0.5)  # the refitted electorate barely minds
    assert sum(s for _, _, s in ranked) == pytest.approx(1.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changed_pairs())
def test_attributions_sum_to_the_change_and_a_null_input_gets_nothing(pair):
    a, b = pair
    b = copy.deepcopy(b)
    first = next(iter(b["parties"]))
    b["parties"][first]["patience"] = 0.9  # moves the non-cooperative prediction only
    c = compare(a, b)
    at = c.attribution
    if at is None:  # nothing moved (patience reaches only the non-cooperative prediction)
        assert "no outcome changes: nothing to attribute" in c.notes
        return
    mine, theirs = c.variants[0].metrics, c.variants[1].metrics
    for j, o in enumerate(at.outcomes):
        assert at.values[:, j].sum() == pytest.approx(at.change(o), abs=1e-9), o
        if o not in at.words:  # the mixes with none and all applied are A and B
            assert at.base[j] == pytest.approx(float(mine[o]), abs=1e-9), o
            assert at.final[j] == pytest.approx(float(theirs[o]), abs=1e-9), o
    alone = [i for i, p in enumerate(at.players) if p.name == f"parties.{first}.patience"]
    for i in alone:  # not grouped with its party's other changes (there were few)
        for o in ("acceptable", "feasible", "pareto", "zopa"):
            if o in at.outcomes:
                assert at.values[i, at.outcomes.index(o)] == 0.0, o


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_dicts(max_issues=3, max_parties=2, max_levels=3, bodies=False,
                      red_lines=False, interactions=False), st.integers(50, 600))
def test_two_symmetric_changes_get_equal_shares(a, raise_by):
    # Two copies of one party, both reservations raised alike: they are interchangeable.
    a = copy.deepcopy(a)
    twin = copy.deepcopy(a["parties"]["p0"])
    a["parties"] = {"p0": twin, "p1": copy.deepcopy(twin)}
    b = copy.deepcopy(a)
    for p in b["parties"].values():
        p["reservation"] = min(1.0, p["reservation"] + raise_by / 1000)
    c = compare(a, b)
    assume(c.variants[0].metrics["acceptable"] != c.variants[1].metrics["acceptable"])
    at = c.attribution
    j = at.outcomes.index("acceptable")
    assert at.values[0, j] == pytest.approx(at.values[1, j], abs=1e-9)


def test_one_reservation_is_attributed_entirely_to_its_path():
    b = data_of(BERLIN)
    b["parties"]["russia"]["reservation"] = 0.45
    b["parties"]["europe"]["description"] = "edited"  # words: listed, never a player
    c = compare(data_of(BERLIN), b)
    at = c.attribution
    assert [p.name for p in at.players] == ["parties.russia.reservation"]
    j = at.outcomes.index("acceptable")
    assert at.values[0, j] == at.change("acceptable") < 0


def test_many_differences_are_grouped_and_their_orders_sampled_within_the_budget():
    b = data_of(BERLIN)
    for party in b["parties"].values():  # 4 parties x 2 fields: 8 players
        party["power"] = 1.5
        party["patience"] = 0.9
    for body in ("ukraine_referendum",):
        b["ratification"][body]["swing_sd"] = 0.5
    found = players(differences(data_of(BERLIN), b))
    assert {p.name for p in found} == {*(f"parties.{n}" for n in b["parties"]),
                                       "ratification.ukraine_referendum"}
    b["parties"]["russia"]["reservation"] = 0.45
    b["settings"] = {**b["settings"], "min_ratification_probability": 0.4}
    b["no_deal"]["cost"]["russia"] = 0.12
    c = variants.compare([BERLIN, sim.from_dict(b)], ["a", "b"], budget=20)
    at = c.attribution
    assert at.method == "sampled" and at.orders >= 2 and at.se is not None
    for j, o in enumerate(at.outcomes):
        assert at.values[:, j].sum() == pytest.approx(at.change(o), abs=1e-9)


def test_a_mix_that_does_not_load_joins_its_inputs():
    # B forbids what a package of A uses, and changes the package: apart they are fine (a
    # package may break a rule in a mix), so they stay two players; a rule naming a level
    # only B's issue has cannot be applied without it: one player.
    a = tariff_talks()
    b = with_none_quota(a)
    b["rules"] = [{"forbid": {"quota": "none"}}]
    found = players(differences(a, b))
    assert len(found) == 1


def test_the_screen_names_the_ranking_and_the_values_sum():
    from sim.report import compare as view
    from sim.report import document

    sceptic = sim.load(SCENARIOS / "berlin-sceptic.yaml")
    c = variants.compare([BERLIN, sceptic], ["open", "sceptic"])
    text = document.text(view.blocks(c))
    assert "acceptable deals: -425, explained by" in text
    assert "- ratification.ukraine_referendum.turnout: -335 (79% of the change)" in text
    md = document.markdown(view.blocks(c))
    assert "| acceptable deals | 425 | 0 |" in md
    assert np.isfinite(c.attribution.values).all()


def test_inputs_that_only_load_together_are_joined_and_said_so():
    # More votes needed from a larger chamber: pass_votes 5 of 3 seats does not load, so the
    # two changes, which name nothing of each other, are found out and made one player.
    body = {"kind": "legislature", "seats": 3, "pass_votes": 2, "intercept": 1.0,
            "effects": {"tariff": {"low": 0.0, "mid": -0.5, "high": -1.0}}, "swing_sd": 0.5}
    a = tariff_talks(ratification={"parliament": body})
    b = copy.deepcopy(a)
    b["ratification"]["parliament"].update(seats=7, pass_votes=5)
    assert len(players(differences(a, b))) == 2
    c = compare(a, b)
    (player,) = c.attribution.players
    assert {d.path for d in player.differences} == {"ratification.parliament.pass_votes",
                                                    "ratification.parliament.seats"}
    assert any("pass_votes cannot be applied without ratification.parliament.seats" in n
               for n in c.notes)
    assert c.attribution.change("acceptable") == -3


def test_the_agent_based_rates_are_compared_with_intervals_and_attributed():
    from sim.report import compare as view
    from sim.report import document

    a = tariff_talks()
    b = with_party(a, "exporter", reservation=0.5)
    c = compare(a, b, engine="simulate", runs=30, steps=20)
    for v in c.variants:
        agreed = v.simulation["agreed"]
        assert v.simulation["runs"] == 30
        assert agreed["low"] <= agreed["share"] <= agreed["high"]
    at = c.attribution
    changed = [o for o in at.outcomes if o.startswith("simulate.")]
    for o in changed:  # one input: it carries each whole change
        assert at.values[0, at.outcomes.index(o)] == pytest.approx(at.change(o))
    again = compare(a, b, engine="simulate", runs=30, steps=20)
    assert c.variants[1].simulation == again.variants[1].simulation  # seeded
    text = document.text(view.blocks(c))
    share = c.variants[0].simulation["agreed"]
    row = next(line for line in text.splitlines() if "agreed (95% interval)" in line)
    assert f"{share['share']:.2f} [{share['low']:.2f}, {share['high']:.2f}]" in row


def test_with_samples_each_variants_robustness_is_shown():
    from sim.report import compare as view
    from sim.report import document

    trade = sim.load(SCENARIOS / "trade-deal.yaml")
    other = data_of(trade)
    other["parties"][next(iter(other["parties"]))]["reservation"] = 0.5
    c = variants.compare([trade, sim.from_dict(other)], ["a", "b"], samples=20)
    assert all(v.robustness["samples"] == 20 for v in c.variants)
    assert "Robustness over each variant's uncertainty" in document.text(view.blocks(c))


def test_a_package_naming_what_only_the_variant_has_leaves_the_attribution_whole():
    # B adds an issue and a package using it: the package is B's alone (never in a mix),
    # the issue with the value tables naming its levels is one player.
    a = tariff_talks()
    b = with_issue(a, "ports", {"levels": ["closed", "open"]}, {"closed": 0.0, "open": 1.0})
    b["parties"]["exporter"]["weights"]["ports"] = 0.5
    b["packages"] = {"p": {"terms": {"tariff": "mid", "quota": "large", "ports": "open"}}}
    c = compare(a, b)
    assert c.attribution is not None and len(c.attribution.players) == 1
    assert not any("cannot be applied" in n for n in c.notes)


def test_a_baseline_mix_that_does_not_load_is_said_not_attributed():
    # A's package cites a source B removes with it: removing the source is words, applied in
    # every mix, so even the baseline mix does not load; the comparison says so and goes on.
    a = tariff_talks(sources={"s": {"title": "a paper"}},
                     packages={"p": {"terms": {"tariff": "mid", "quota": "large"},
                                     "source": "s"}})
    b = with_party(tariff_talks(), "exporter", reservation=0.6)
    c = compare(a, b)
    if c.attribution is None:
        assert any("does not load as a mix" in n for n in c.notes)
    else:  # the format does not tie a package to its source: nothing to refuse
        assert [p.name for p in c.attribution.players] == ["parties.exporter.reservation"]


def test_a_changed_step_and_a_weight_on_that_issue_are_two_players():
    a = line("a", (0.2, 0.2))
    b = copy.deepcopy(a)
    b["issues"]["x"]["step"] = 2
    b["parties"]["a"]["weights"]["x"] = 0.5
    b["parties"]["b"]["reservation"] = 0.3
    names = sorted(p.name for p in players(differences(a, b)))
    assert names == ["issues.x.step", "parties.a.weights.x", "parties.b.reservation"]


def test_markdown_rows_stay_one_line_and_tiny_changes_are_noted_only_when_hidden():
    from sim.report import compare as view
    from sim.report import document

    table = document.markdown([document.Table(["a"], [["one\ntwo | three"]])])
    assert "| one two \\| three |" in table
    b = data_of(BERLIN)
    b["parties"]["russia"]["weights"]["guarantee"] = 0.04001  # moves numbers a hair
    c = compare(data_of(BERLIN), b)
    assert all(abs(c.attribution.change(o)) < 1e-4 for o in c.attribution.outcomes)
    text = document.text(view.blocks(c))
    assert "not shown" not in text  # every change is tiny: they are shown, not hidden
    assert "nash.eu.russia" in text
