"""Shares and their 95% intervals. Wilson's score interval (Wilson 1927) is sound near 0 and
1, where the normal approximation is not, and it is what every share sim prints carries: a
sample's count of deals, the agent-based model's agreement rate, a sweep's share of design
points with a ZOPA."""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a share k / n (95% by default; (0, 1) when n is 0)."""
    if n == 0:
        return (0.0, 1.0)
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At k = 0 or n one end is the share itself; rounding must not put it outside.
    return (min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def share(self) -> float:
        return self.count / self.of if self.of else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.of)

    def to_dict(self) -> dict:
        lo, hi = self.interval
        return {"share": self.share, "low": lo, "high": hi, "count": self.count}
