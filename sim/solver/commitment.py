"""The commitment problem under shifting power (Fearon 1995; Powell 2006).

The declining side D wins a war with probability p1 now and p2 < p1 next period. Each period
the pie is 1, war costs c per period and the future is discounted by delta. If D fights now
it gains delta (p1 - p2) in tomorrow's bargaining position relative to accepting today's
split; the rising side can offer at most 1 - p1 + c more today. D fights iff
delta (p1 - p2) > 1 - p1 + c. A third-party guarantee that keeps D's future chance at p2'
prevents the war iff p2' >= p1 - (1 - p1 + c) / delta.
"""

from __future__ import annotations


def fights_now(p1: float, p2: float, delta: float, cost: float) -> bool:
    return delta * (p1 - p2) > 1 - p1 + cost


def minimum_guarantee(p1: float, delta: float, cost: float) -> float:
    """The lowest future win probability a guarantee must secure for peace."""
    return max(0.0, p1 - (1 - p1 + cost) / delta)
