"""The scenario format: pydantic models that are the single source of truth.

The loader, `sim schema`, the error messages and docs/reference.md all come from these
classes. Field descriptions are user documentation: they appear in the editor and the docs.
Cross-references (a level that must exist, a path that must resolve) are checked afterwards
in `check.py`, where the whole scenario is known.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$", max_length=80)]
"""Names of issues, parties, bodies, packages, segments, blocs and sources: ASCII letters,
digits, `_` and `-`, starting with a letter or `_`, at most 80 characters (they become keys
in JSON, dotted paths and column names, so they stay plain)."""
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Note = Annotated[str, StringConstraints(strip_whitespace=True)]
"""Free text; a YAML folded block (`>`) leaves a trailing newline, which is stripped."""
LevelRef = str | bool | float | int
"""A level as written: a discrete level's name, a number on a numeric issue, true/false."""

Condition = Annotated[dict[str, Any], WithJsonSchema({"x-condition": True})]
"""Checked against the issues in check.py; its JSON Schema is CONDITION_SCHEMA."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_WORDS = {"yes": "true", "no": "false", "on": "true", "off": "false"}


def _keys_as_names(table: dict) -> dict:
    """A value table keyed by level names; 1 and "1" (or true and "true") name one level."""
    out: dict = {}
    for key, value in table.items():
        name = _level_key(key)
        if name in out:
            raise ValueError(f"level '{name}' is given twice (written {key!r} the second time)")
        out[name] = value
    return out


def _level_key(v: Any) -> Any:
    """Map keys and level names to strings: true/false for booleans, numbers as written."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return v


# --- issues -----------------------------------------------------------------------------


class Issue(Strict):
    """One term of a deal: discrete levels, a numeric range on a grid, or a boolean."""

    type: Literal["discrete", "numeric", "boolean"] | None = Field(
        None,
        description="Inferred: `levels` makes it discrete, `range` numeric; "
        "write `type: boolean` for a yes/no term.",
    )
    description: str = Field("", description="Free text for readers of the scenario.")
    levels: list[Annotated[str, Field(pattern=r"^[^.\s]+$", max_length=80)]] | None = Field(
        None,
        description="Discrete levels in their natural order (`at_least`/`at_most` compare "
        "by this order). Names without dots or spaces, at most 80 characters; any letters, "
        "Unicode included.",
        min_length=2,
    )
    range: tuple[float, float] | None = Field(None, description="Numeric issue: [min, max].")
    step: float | None = Field(
        None, gt=0, description="Numeric issue: grid step (the solver may refine between points)."
    )
    unit: str = Field("", description="Numeric issue: the unit of the numbers, for display.")

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_as_names(cls, v: Any) -> Any:
        return [_level_key(x) for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _kind_fits(self) -> Issue:
        kind = self.kind
        if kind == "discrete":
            if not self.levels:
                raise ValueError("a discrete issue needs `levels: [...]` (two or more names)")
            if len(set(self.levels)) != len(self.levels):
                raise ValueError("levels must be distinct")
            if self.range or self.step:
                raise ValueError("a discrete issue takes `levels`, not `range`/`step`")
        elif kind == "numeric":
            if self.range is None or self.step is None:
                raise ValueError("a numeric issue needs `range: [min, max]` and `step`")
            lo, hi = self.range
            if not lo < hi:
                raise ValueError(f"range must have min < max, got [{lo}, {hi}]")
            if (hi - lo) / self.step > 100_000:
                raise ValueError("step is too fine: the grid would exceed 100000 points")
            if self.levels:
                raise ValueError("a numeric issue takes `range`/`step`, not `levels`")
        elif self.levels or self.range or self.step:
            raise ValueError("a boolean issue takes no `levels`, `range` or `step`")
        return self

    @property
    def kind(self) -> str:
        if self.type:
            return self.type
        return "numeric" if self.range is not None else "discrete"


# --- value functions ---------------------------------------------------------------------


class Curve(Strict):
    """A value function over a numeric issue: linear, or piecewise-linear through points."""

    linear: Literal["increasing", "decreasing"] | None = Field(
        None, description="0 at one end of the range, 1 at the other."
    )
    exponent: float = Field(
        1.0, gt=0, description="With `linear`: value = t^exponent, t the position (0-1) "
        "toward the preferred end. Below 1 concave (the first units matter most), above 1 "
        "convex."
    )
    points: list[tuple[float, Unit]] | None = Field(
        None,
        min_length=2,
        description="[[x, value], ...] with x increasing; flat beyond the first and last x.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> Curve:
        if (self.linear is None) == (self.points is None):
            raise ValueError("give exactly one of `linear` or `points`")
        if self.points and self.exponent != 1.0:
            raise ValueError("`exponent` goes with `linear`, not with `points`")
        if self.points:
            xs = [x for x, _ in self.points]
            if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
                raise ValueError("points must have strictly increasing x")
        return self


def _curve_or_table(v: Any) -> str:
    if isinstance(v, dict) and ("linear" in v or "points" in v):
        return "curve"
    if isinstance(v, Curve):
        return "curve"
    return "table"


ValueTable = Annotated[dict[str, Unit], Field(description="level -> value in [0, 1]")]
ValueFunction = Annotated[
    Annotated[ValueTable, Tag("table")] | Annotated[Curve, Tag("curve")],
    Discriminator(_curve_or_table),
]


class Interaction(Strict):
    """A term that only matters together with others: `add` when `when` holds."""

    when: Condition = Field(description="When the deal meets this condition...")
    add: float = Field(description="...this is added to the party's utility (same scale as "
                       "values; may be negative).")
    note: Note = Field("", description="Why, for readers; shown nowhere else.")


class RedLine(Strict):
    """A deal matching `when` is unacceptable to this party, whatever its utility."""

    name: Name | None = Field(None, description="Optional; a dotted path may then name the "
                              "red line instead of its place in the list "
                              "(`parties.russia.red_lines.donbas_zone.holds`).")
    when: Condition = Field(description="Deals meeting this condition are unacceptable to "
                            "the party.")
    holds: bool = Field(True, description="Whether the red line binds. A red line that a "
                        "source states but a party might give up is written once and read "
                        "both ways by an uncertainty, `choice: [true, false]`, on this field.")
    note: Note = Field("", description="Shown when a deal hits the red line.")


class Party(Strict):
    """A negotiating party with an additive multi-attribute utility."""

    description: str = Field("", description="Free text for readers of the scenario.")
    weights: dict[str, Annotated[float, Field(ge=0)]] = Field(
        description="issue -> weight >= 0; normalised to sum 1. Issues left out weigh 0."
    )
    values: dict[str, ValueFunction] = Field(
        description="issue -> value function, 1 = best for this party."
    )
    reservation: float | Literal["derived"] = Field(
        description="Utility of no deal, or `derived` from `no_deal` (outlook minus cost)."
    )
    interactions: list[Interaction] = Field(
        [], description="Terms that only matter together: `{when: condition, add: x}`.")
    red_lines: list[RedLine] = Field(
        [], description="Conditions that make a deal unacceptable to this party whatever its "
        "utility; they bind only when the party has a veto.")
    power: float = Field(1.0, gt=0, description="Bargaining power (weighted Nash, proposer odds).")
    patience: float = Field(
        0.95, gt=0, le=1, description="Discount factor per round of bargaining."
    )
    veto: bool = Field(True, description="Whether the deal needs this party's consent.")
    ratified_by: list[Name] = Field(
        [], description="Ratification bodies that approve the deal for this party (a body "
        "ratifies for one party). They bind only if the party has a veto."
    )

    @field_validator("values", mode="before")
    @classmethod
    def _table_keys(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {k: (_keys_as_names(f) if _curve_or_table(f) == "table" and isinstance(f, dict)
                    else f) for k, f in v.items()}


# --- no deal -------------------------------------------------------------------------------


class NoDeal(Strict):
    """What happens without agreement: the terms the world drifts to, and its cost."""

    description: str = Field("", description="Free text for readers of the scenario.")
    outlook: dict[str, LevelRef] = Field(
        {}, description="issue -> level the world drifts to without a deal."
    )
    cost: dict[str, float] = Field(
        {}, description="party -> cost of continued conflict, in that party's utility units."
    )


# --- ratification --------------------------------------------------------------------------


class Slope(Strict):
    """A logit effect linear in a numeric issue's value."""

    slope: float = Field(description="Logit change per unit of the issue's value.")


def _slope_or_table(v: Any) -> str:
    return "slope" if isinstance(v, dict | Slope) and "slope" in (
        v if isinstance(v, dict) else {"slope": 0}
    ) else "table"


Effect = Annotated[
    Annotated[dict[str, float], Tag("table")] | Annotated[Slope, Tag("slope")],
    Discriminator(_slope_or_table),
]


def _effect_keys(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    return {
        k: ({_level_key(lk): lv for lk, lv in e.items()} if isinstance(e, dict)
            and "slope" not in e else e)
        for k, e in v.items()
    }


class Logit(Strict):
    """P(yes) = 1 / (1 + exp(-(intercept + sum of the deal's effects)))."""

    intercept: float = Field(0.0, description="Logit of P(yes) before the deal's effects.")
    effects: dict[str, Effect] = Field(
        {}, description="issue -> {level: logit effect} or {slope: b} on a numeric issue."
    )
    _keys = field_validator("effects", mode="before")(_effect_keys)


class Segment(Logit):
    """A part of the electorate with its own acceptance model, added to the body's."""

    description: str = Field("", description="Free text for readers of the scenario.")
    share: float = Field(gt=0, le=1, description="Share of the electorate (shares sum to 1).")


class Bloc(Logit):
    """A group of legislators sharing an acceptance model, added to the body's."""

    description: str = Field("", description="Free text for readers of the scenario.")
    seats: int = Field(gt=0, description="Members in the bloc (blocs' seats sum to the body's).")


class BodyBase(Logit):
    description: str = Field("", description="Free text for readers of the scenario.")
    party: Name | None = Field(None, description="The party this body ratifies for, if any.")
    applies_when: Condition | None = Field(
        None, description="The body votes only on deals meeting this condition."
    )
    swing_sd: float = Field(
        0.0, ge=0, description="Sd of a common logit shock to every voter (mood, campaign)."
    )


class Referendum(BodyBase):
    """An electorate voting yes or no; valid only when turnout reaches `min_turnout`."""

    kind: Literal["referendum"] = Field(description="`referendum` or `legislature`.")
    segments: dict[Name, Segment] = Field(
        {}, description="Parts of the electorate with their own effects; shares sum to 1. "
        "Without segments the body's own model applies to everyone.")
    pass_share: float = Field(0.5, gt=0, lt=1, description="Yes share of valid votes needed.")
    turnout: Unit = Field(1.0, description="Expected turnout.")
    turnout_sd: float = Field(0.0, ge=0, description="Uncertainty of turnout.")
    min_turnout: Unit = Field(0.0, description="Turnout below this voids the vote.")

    @model_validator(mode="after")
    def _shares(self) -> Referendum:
        if self.segments:
            total = sum(s.share for s in self.segments.values())
            if abs(total - 1) > 1e-6:
                raise ValueError(f"segment shares must sum to 1, got {total:g}")
        return self


class Legislature(BodyBase):
    """Members vote independently given the mood; the deal passes with `pass_votes` yes votes."""

    kind: Literal["legislature"] = Field(description="`referendum` or `legislature`.")
    seats: int = Field(gt=0, description="Members voting.")
    pass_votes: int = Field(gt=0, description="Yes votes needed, e.g. 67 of 100.")
    blocs: dict[Name, Bloc] = Field(
        {}, description="Groups of members with their own effects; seats sum to `seats`.")

    @model_validator(mode="after")
    def _seats(self) -> Legislature:
        if self.pass_votes > self.seats:
            raise ValueError(f"pass_votes {self.pass_votes} exceeds seats {self.seats}")
        if self.blocs:
            total = sum(b.seats for b in self.blocs.values())
            if total != self.seats:
                raise ValueError(f"bloc seats sum to {total}, not seats {self.seats}")
        return self


Body = Annotated[Referendum | Legislature, Field(discriminator="kind")]


# --- rules, packages, uncertainty, sources ----------------------------------------------------


class Rule(Strict):
    """A feasibility link: deals meeting `when` must meet `require`; or `forbid` deals outright."""

    when: Condition | None = Field(None, description="Deals meeting this condition...")
    require: Condition | None = Field(None, description="...must meet this one (without "
                                      "`when`: every deal must).")
    forbid: Condition | None = Field(None, description="Deals meeting this are infeasible.")
    note: Note = Field("", description="Why the link exists; shown when a deal breaks it.")

    @model_validator(mode="after")
    def _form(self) -> Rule:
        if self.forbid is not None:
            if self.when is not None or self.require is not None:
                raise ValueError("a rule is either `forbid` or `when` + `require`, not both")
        elif self.require is None:
            raise ValueError("a rule needs `require` (with optional `when`) or `forbid`")
        return self


class Package(Strict):
    """A named deal (a real proposal): one level for every issue."""

    description: str = Field("", description="Free text for readers of the scenario.")
    terms: dict[str, LevelRef] = Field(description="issue -> level, for every issue.")
    source: str = Field("", description="Where the proposal comes from (a `sources:` key "
                        "or free text).")


class Distribution(Strict):
    """One of: uniform [low, high], normal [mean, sd], triangular [low, mode, high],
    beta [a, b] (on [0, 1]), choice [values...]."""

    uniform: tuple[float, float] | None = Field(None, description="[low, high]")
    normal: tuple[float, Annotated[float, Field(gt=0)]] | None = Field(
        None, description="[mean, sd]")
    triangular: tuple[float, float, float] | None = Field(
        None, description="[low, mode, high]")
    beta: tuple[Annotated[float, Field(gt=0)], Annotated[float, Field(gt=0)]] | None = Field(
        None, description="[a, b], on [0, 1]")
    choice: list[Any] | None = Field(None, min_length=1,
                                     description="Values drawn with equal probability.")
    note: str = Field("", description="Why this range: the source or the judgement.")

    KINDS: ClassVar[tuple[str, ...]] = ("uniform", "normal", "triangular", "beta", "choice")

    @property
    def kind(self) -> str:
        """Which of the distributions it is."""
        return next(k for k in self.KINDS if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _one(self) -> Distribution:
        given = [k for k in self.KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of uniform, normal, triangular, beta, choice")
        if self.uniform and not self.uniform[0] <= self.uniform[1]:
            raise ValueError("uniform needs low <= high")
        if self.triangular and not (
            self.triangular[0] <= self.triangular[1] <= self.triangular[2]
        ):
            raise ValueError("triangular needs low <= mode <= high")
        return self


class Source(Strict):
    """A citation: every number in a scenario should trace to one, or say it is a judgement."""

    title: str = Field(description="What the source is: outlet, author, title.")
    url: str = Field("", description="Where to read it.")
    date: str = Field("", description="As written, e.g. 2025-12-13 or 2025.")
    note: Note = Field("", description="What it supports.")

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


# --- dynamics (the agent-based model) ----------------------------------------------------------


class TimeDependentConcession(Strict):
    """Concedes (t / T)^exponent of the way from its best to its reservation by step t of T
    (Faratin, Sierra and Jennings 1998)."""

    strategy: Literal["time_dependent"]
    exponent: float = Field(1.0, gt=0, description="Above 1 holds firm until late, below 1 "
                            "concedes early.")


class BoulwareConcession(Strict):
    """Holds firm until late: time-dependent with a large exponent."""

    strategy: Literal["boulware"]
    exponent: float = Field(4.0, gt=0, description="How late it concedes.")


class LinearConcession(Strict):
    """Concedes evenly to its reservation at the deadline."""

    strategy: Literal["linear"]


class ConcederConcession(Strict):
    """Concedes early: time-dependent with a small exponent."""

    strategy: Literal["conceder"]
    exponent: float = Field(0.25, gt=0, description="How early it concedes.")


class HardLinerConcession(Strict):
    """Never concedes: asks for its best at every step."""

    strategy: Literal["hard_liner"]


class TitForTatConcession(Strict):
    """Concedes what the others conceded, as it values their offers."""

    strategy: Literal["tit_for_tat"]
    share: float = Field(1.0, ge=0, description="Share of the others' latest concession it "
                         "returns.")


class RandomConcession(Strict):
    """Concedes a random share of what is left each step (uniform up to `most`)."""

    strategy: Literal["random_conceder"]
    most: Unit = Field(0.2, description="The largest share of what is left conceded in a step.")


class SubgamePerfectConcession(Strict):
    """Plays the subgame-perfect equilibrium of alternating offers over the candidate deals
    to the deadline (Stahl 1972; Rubinstein 1982 as the deadline recedes), discounting by
    each party's `patience` per step and planning on the current reservations."""

    strategy: Literal["subgame_perfect"]


Concession = Annotated[
    TimeDependentConcession | BoulwareConcession | LinearConcession | ConcederConcession
    | HardLinerConcession | TitForTatConcession | RandomConcession | SubgamePerfectConcession,
    Field(discriminator="strategy")]
StrategyName = Literal["time_dependent", "boulware", "linear", "conceder", "hard_liner",
                       "tit_for_tat", "random_conceder", "subgame_perfect"]


def _by_name(v: Any) -> Any:
    """A strategy written by its name alone takes its default parameters."""
    return {"strategy": v} if isinstance(v, str) else v


Strategy = Annotated[Concession, BeforeValidator(
    _by_name, json_schema_input_type=Concession | StrategyName)]


class Drift(Strict):
    """A random walk: each step adds `drift` plus normal noise of sd `noise`."""

    drift: float = Field(0.0, description="Change per step.")
    noise: float = Field(0.0, ge=0, description="Sd of the change per step.")


class War(Strict):
    """How the no-deal outlook and the cost of conflict move while the parties talk."""

    outlook: dict[str, Drift] = Field(
        {}, description="numeric issue of `no_deal.outlook` -> its drift per step, in the "
        "issue's units (kept within its range).")
    cost: dict[str, Drift] = Field(
        {}, description="party -> drift per step of its `no_deal.cost` (the present value of "
        "the conflict: a derived reservation falls as it rises).")


class Electorate(Strict):
    """How the mood of every ratification body moves: a logit added to every voter's."""

    drift: float = Field(0.0, description="Logit change per step (positive: war fatigue "
                         "makes a deal more popular).")
    noise: float = Field(0.0, ge=0, description="Sd of the logit change per step.")


class Event(Strict):
    """Something scheduled: at step `at`, set a dotted path `to` a value, or move the mood."""

    at: int = Field(ge=1, description="The step at which it happens (1 is the first step).")
    set: str | None = Field(
        None, description="What it sets, while the talks go on: `no_deal.outlook.<issue>`, "
        "`no_deal.cost.<party>` or `parties.<party>.reservation` (a fixed one).")
    to: LevelRef | None = Field(None, description="The value set (a level for an outlook term).")
    mood: float | None = Field(None, description="A logit added to every body's mood.")
    note: Note = Field("", description="What the event is, for readers and the output.")

    @model_validator(mode="after")
    def _form(self) -> Event:
        if (self.set is None) == (self.mood is None):
            raise ValueError("an event gives `set` and `to`, or `mood`")
        if self.set is not None and self.to is None:
            raise ValueError("`set` needs `to`: the value it sets")
        return self


class Mediator(Strict):
    """Who drafts the single negotiating text (Fisher; Raiffa 1982): a neutral mediator, or a
    party, which picks, among the texts every side could accept, the one it likes best."""

    by: Name = Field("neutral", description="`neutral` or a party's name.")


class Beliefs(Strict):
    """With private information, what each party believes of the others' reservations."""

    noise: float = Field(0.1, ge=0, description="Sd of each party's initial error about "
                         "another's reservation.")
    bias: float = Field(0.0, description="Mean of that error: negative when each side believes "
                        "the others would settle for less than they would (mutual optimism).")
    learning: Unit = Field(0.5, description="How far a belief moves toward the value of an offer "
                           "the other rejected (acceptances bound it exactly).")


class Dynamics(Strict):
    """The agent-based model's assumptions. Every default is a judgement: state your own."""

    step: Literal["day", "week", "month", "quarter"] = Field(
        "week", description="What one step of talks is (one round of offers); every per-step "
        "figure is per this unit.")
    deadline: int | None = Field(
        None, ge=1, description="The step by which talks end; strategies concede toward it. "
        "Default: the run's number of steps.")
    strategies: dict[Name, Strategy] = Field(
        {}, description="party -> concession strategy, `name` or `{strategy: name, ...}`.")
    default_strategy: Strategy = Field(
        BoulwareConcession(strategy="boulware"),
        description="The strategy of a party `strategies` leaves out.")
    proposers: Literal["alternating", "by_power"] = Field(
        "alternating", description="Without a mediator, who proposes: the veto parties in "
        "turn (in the order written), or one drawn with probability proportional to `power`.")
    mediator: Mediator | None = Field(
        None, description="A single-negotiating-text mediator; without one, parties propose.")
    information: Literal["complete", "private"] = Field(
        "complete", description="`private`: each party knows only its own reservation.")
    beliefs: Beliefs = Field(Beliefs(), description="Beliefs under private information.")
    war: War = Field(War(), description="How the no-deal outlook and costs move.")
    electorate: Electorate = Field(Electorate(), description="How the mood moves.")
    events: list[Event] = Field([], description="Scheduled events.")
    ratification_delay: int = Field(
        0, ge=0, description="Steps between agreement and the votes; a party whose "
        "reservation has risen above the deal by then reneges.")
    walk_out_after: int | None = Field(
        None, ge=1, description="A veto party walks out (the talks collapse) after this many "
        "steps in a row with nothing on the table worth its reservation. Default: never.")
    on_failed_ratification: Literal["resume", "collapse"] = Field(
        "resume", description="After a failed vote: back to the table (that deal struck "
        "off), or the talks end.")

    def strategy_of(self, party: str):
        """The strategy a party plays."""
        return self.strategies.get(party, self.default_strategy)


class Settings(Strict):
    """How the analysis reads the scenario."""

    min_ratification_probability: Unit = Field(
        0.5, description="A deal is acceptable only if every body that applies passes it "
        "with at least this probability."
    )


class Scenario(Strict):
    """A negotiation: issues, parties, what happens without a deal, and who must ratify."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, title="sim scenario"
    )

    name: str = Field(max_length=120,
                      description="The scenario's name, shown in every output (at most 120 "
                      "characters).")
    description: str = Field("", description="Free text for readers of the scenario.")
    extends: str | None = Field(
        None, description="A base scenario file (relative to this one); this file overrides "
        "it: mappings merge key by key, `null` deletes, a list replaces the base's list whole, "
        "and a mapping over a list edits the entries it names (`red_lines: {european_force: "
        "{holds: false}}`)."
    )
    issues: dict[Name, Issue] = Field(min_length=1, description="The terms of a deal.")
    parties: dict[Name, Party] = Field(min_length=2, description="Who negotiates.")
    no_deal: NoDeal | None = Field(None, description="What happens without agreement.")
    ratification: dict[Name, Body] = Field(
        {}, description="Bodies that vote a deal up or down (referendum, legislature).")
    rules: list[Rule] = Field([], description="Feasibility links between issues.")
    packages: dict[Name, Package] = Field({}, description="Named deals, e.g. real proposals.")
    uncertainty: dict[str, Distribution] = Field(
        {}, description="dotted path -> distribution, e.g. parties.russia.reservation."
    )
    sources: dict[Name, Source] = Field({}, description="Citations, by key.")
    settings: Settings = Field(Settings(), description="How the analysis reads the scenario.")
    dynamics: Dynamics | None = Field(
        None, description="How talks unfold over time (`sim simulate`); defaults throughout.")

    @model_validator(mode="before")
    @classmethod
    def _boolean_words(cls, data: Any) -> Any:
        """Value tables of boolean issues may say yes/no (or on/off) for true/false."""
        if not isinstance(data, dict) or not isinstance(data.get("issues"), dict):
            return data
        booleans = {k for k, i in data["issues"].items()
                    if isinstance(i, dict) and i.get("type") == "boolean"}
        parties = data.get("parties")
        if not booleans or not isinstance(parties, dict):
            return data
        out = dict(data, parties=dict(parties))
        for name, party in parties.items():
            values = party.get("values") if isinstance(party, dict) else None
            if not isinstance(values, dict):
                continue
            tables = {k: ({_WORDS.get(str(lv).lower(), lv): x for lv, x in t.items()}
                          if k in booleans and isinstance(t, dict) else t)
                      for k, t in values.items()}
            out["parties"][name] = dict(party, values=tables)
        return out


CONDITION_SCHEMA: dict = {
    "description": "A condition on a deal. `{issue: level}` tests equality; "
    "`{issue: {at_least: x}}`, `{issue: {at_most: x}}` compare by level order or value; "
    "`{issue: {in: [..]}}` tests membership; `{all: [..]}`, `{any: [..]}`, `{not: ..}` "
    "combine. Several keys in one mapping must all hold.",
    "type": "object",
    "minProperties": 1,
    "properties": {
        "all": {"type": "array", "items": {"$ref": "#/$defs/Condition"},
                "description": "Every condition in the list holds."},
        "any": {"type": "array", "items": {"$ref": "#/$defs/Condition"},
                "description": "At least one condition in the list holds."},
        "not": {"$ref": "#/$defs/Condition", "description": "The condition does not hold."},
    },
    "additionalProperties": {
        "anyOf": [
            {"type": ["string", "number", "boolean"]},
            {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "at_least": {"type": ["string", "number", "boolean"]},
                    "at_most": {"type": ["string", "number", "boolean"]},
                    "in": {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
                },
            },
        ]
    },
}


def json_schema() -> dict:
    """The JSON Schema of the scenario format (draft 2020-12)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("$defs", {})["Condition"] = CONDITION_SCHEMA
    _fix_condition_refs(schema)
    return schema


def _fix_condition_refs(node: Any) -> None:
    """Point every condition placeholder at the shared Condition definition."""
    if isinstance(node, dict):
        if node.pop("x-condition", False):
            node["$ref"] = "#/$defs/Condition"
        for v in node.values():
            _fix_condition_refs(v)
    elif isinstance(node, list):
        for v in node:
            _fix_condition_refs(v)
