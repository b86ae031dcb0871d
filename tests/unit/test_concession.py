"""The concession strategies: one inherited contract every strategy keeps (as Axelrod's
strategies inherit theirs), then each strategy's own behaviour."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import seeds
from sim.abm import concession
from sim.abm.concession import STRATEGIES, Situation, build, filtered

# Each strategy with its defaults and with parameters away from them.
CASES = [cls() for cls in STRATEGIES.values()] + [
    build("boulware", exponent=8.0), build("conceder", exponent=0.1),
    build("time_dependent", exponent=2.5), build("tit_for_tat", share=0.5),
    build("random_conceder", most=0.9)]


def path(strategy, deadline=20, best=0.9, reservation=0.3, offers=None, seed=0):
    """Aspirations over a negotiation, the reservation drifting if `reservation` is a list;
    `offers[t]` is what the offer received at step t is worth to the negotiator."""
    rng = seeds.generator(seed, 0, 0)
    memory = strategy.classifier["memory"]
    out, previous = [], None
    for t in range(deadline + 1):
        r = reservation[t] if isinstance(reservation, list) else reservation
        received = tuple(offers[max(0, t + 1 - memory):t + 1]) if offers and memory else ()
        a = strategy.aspiration(Situation(t, deadline, best, r, previous, received), rng)
        out.append(a)
        previous = a
    return out


@pytest.mark.parametrize("strategy", CASES, ids=repr)
class TestEveryStrategy:
    def test_the_same_seed_gives_the_same_path(self, strategy):
        offers = list(np.linspace(0.1, 0.6, 21))
        assert path(strategy, offers=offers, seed=4) == path(strategy, offers=offers, seed=4)

    @given(best=st.floats(0, 1), reservation=st.floats(0, 1), seed=st.integers(0, 99),
           deadline=st.integers(1, 40),
           offers=st.lists(st.floats(0, 1), min_size=41, max_size=41))
    def test_never_asks_below_the_reservation_nor_above_the_best(self, strategy, best,
                                                                  reservation, seed, deadline,
                                                                  offers):
        for a in path(strategy, deadline, best, reservation, offers, seed):
            assert a >= reservation
            assert a <= max(best, reservation)

    def test_a_reservation_the_war_lifts_lifts_the_aspiration(self, strategy):
        """The reservation moves each step (a war); the aspiration never falls below it."""
        drifting = [0.2 + 0.03 * t for t in range(21)]
        for a, r in zip(path(strategy, reservation=drifting), drifting, strict=True):
            assert a >= r - 1e-12

    def test_the_classifier_says_what_the_strategy_reads(self, strategy):
        assert set(strategy.classifier) == {"stochastic", "memory", "reacts_to_offers"}
        if not strategy.classifier["stochastic"]:
            assert path(strategy, seed=1) == path(strategy, seed=2)
        if not strategy.classifier["reacts_to_offers"]:
            assert path(strategy, offers=[0.0] * 21) == path(strategy, offers=[0.8] * 21)

    def test_without_offers_or_noise_the_aspiration_never_rises(self, strategy):
        if strategy.classifier["reacts_to_offers"]:
            offers = list(np.linspace(0.1, 0.7, 21))  # improving offers: it concedes
        else:
            offers = None
        a = path(strategy, offers=offers)
        assert all(later <= earlier + 1e-12 for earlier, later in zip(a, a[1:], strict=False))


def test_time_dependent_strategies_reach_the_reservation_at_the_deadline_in_their_order():
    late, even, early = (path(build(n)) for n in ("boulware", "linear", "conceder"))
    assert late[-1] == even[-1] == early[-1] == pytest.approx(0.3)
    halfway = 10
    assert late[halfway] > even[halfway] > early[halfway]
    assert even[halfway] == pytest.approx(0.9 - 0.6 * 0.5)  # linear: half the way at half time


def test_a_hard_liner_asks_for_its_best_to_the_end():
    assert path(build("hard_liner")) == [0.9] * 21


def test_tit_for_tat_concedes_what_it_was_conceded():
    offers = [0.1] * 5 + [0.2] * 5 + [0.35] * 11  # the other side gives 0.1, then 0.15
    a = path(build("tit_for_tat"), offers=offers)
    assert a[4] == pytest.approx(0.9) and a[5] == pytest.approx(0.8)
    assert a[10] == pytest.approx(0.65) and a[-1] == pytest.approx(0.65)


def test_strategies_can_be_chosen_by_what_they_read():
    assert {c.name for c in filtered(stochastic=True)} == {"random_conceder"}
    assert {c.name for c in filtered(reacts_to_offers=True)} == {"tit_for_tat"}


@pytest.mark.parametrize(("name", "params", "words"), [
    ("bulware", {}, "unknown strategy 'bulware'; valid: boulware"),
    ("linear", {"speed": 2}, "strategy 'linear' takes exponent"),
    ("boulware", {"exponent": 0}, "exponent must be positive"),
    ("random_conceder", {"most": 2}, "most must be within [0, 1]"),
])
def test_a_bad_strategy_is_refused_with_what_would_be_valid(name, params, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        build(name, **params)


def test_the_module_lists_every_strategy():
    assert set(STRATEGIES) == {c.name for c in vars(concession).values()
                               if isinstance(c, type) and issubclass(c, concession.Strategy)
                               and c is not concession.Strategy}
