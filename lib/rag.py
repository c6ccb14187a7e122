"""Derived RAG, direction of travel and action flags for KPIs and plan actions.

Why this exists: councils publish a RAG letter next to each KPI result, but the
letters cannot all be recomputed by any one rule (seed-inventory §4.4). The
dashboard therefore keeps the *published* RAG verbatim and shows a *derived*
RAG beside it, computed here by a named, documented rule, and flags where the
two disagree. Pure: no I/O; imports only lib.vocab.

Rules
-----
``tolerance``
    Green if the target is met (``>=`` for higher-is-better, ``<=`` for
    lower-is-better). Amber if the shortfall is within ``tolerance_pct`` percent
    of ``|target|``; red otherwise. Using ``|target|`` makes it work for negative
    targets (Progress 8 scores). When the target is 0 a percentage of it is
    meaningless, so the tolerance is read as an *absolute* margin of
    ``tolerance_pct / 100`` units (5 % -> 0.05).

``targeted_improvement``
    The seeds' own indicator key (S1:3947-3951): Green = target met or
    exceeded; Green Amber = not met but >= 80 % of the targeted improvement
    achieved; Red Amber = 65 % to < 80 %; Red < 65 %. Boundaries are inclusive
    at the bottom of each band ("80 % or more"), so exactly 80 % is Green Amber
    and exactly 65 % is Red Amber.

    % achieved = (value - previous) / (target - previous), mirrored for
    lower-is-better. It is undefined when there is no previous value, when the
    target equals the previous value, or when the previous value already met
    the target (the "improvement" would have the wrong sign). Then we fall back
    to how close the value is to the target, and the reason says so:

    * both value and target positive: the ratio value/target (target/value for
      lower-is-better), which is what the published letters mostly match;
    * otherwise (zero or negative scores, e.g. Progress 8) a ratio is
      meaningless (-1.66 / -1.14 = 146 %), so we use the distance form
      1 - shortfall / |target|. For positive higher-is-better figures this is
      identical to the ratio, so it is the ratio's natural extension. It
      reproduces the published CES/S16 (-1.66 vs -1.14 -> 54 % -> R) and
      CES/S27-2 (-0.72 vs -0.68 -> 94 % -> GA);
    * target 0 with no usable previous value: undefined -> no derived RAG
      (level None) rather than an invented one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from lib import vocab

RULES: tuple[str, ...] = ("tolerance", "targeted_improvement")
DEFAULT_RULE = "tolerance"
DEFAULT_TOLERANCE = 5.0  # amber within 5% of the target

_GREEN_AMBER_FROM = 80.0  # "80% or more of targeted improvement achieved"
_RED_AMBER_FROM = 65.0  # "65-80%"
_DIGITS = 9  # percentages are rounded to this many places before banding, so 80.0000000001 == 80


@dataclass(frozen=True)
class RagResult:
    """A derived RAG with the reason a user can read; level None means "no RAG", not an error."""

    level: str | None
    band: str | None
    reason: str


def _result(level: str | None, reason: str) -> RagResult:
    return RagResult(level=level, band=vocab.rag_band(level), reason=reason)


def _finite(x: float | None) -> float | None:
    """Treat NaN/inf as missing: a spreadsheet error should read as "no value", not crash a page."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _fmt(x: float) -> str:
    """Short number for reasons: 44.0, 1212.0, -1.66 (float noise rounded away)."""
    return str(round(x, 6))


def _fmt_pct(pct: float) -> str:
    """Percentage rounded *down* to 0.1 so 79.96 never displays as 80 beside a Red Amber."""
    shown = math.floor(pct * 10) / 10 if abs(pct) < 1e12 else pct
    text = f"{shown:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _met(value: float, target: float, polarity: str) -> bool:
    """Target met; equal within 1e-9 relative counts, so 0.1 + 0.2 meets a 0.3 ceiling."""
    if math.isclose(value, target, rel_tol=1e-9):
        return True
    return value >= target if polarity == "higher" else value <= target


def _shortfall(value: float, target: float, polarity: str) -> float:
    """How far the value is on the wrong side of the target (<= 0 when met)."""
    return target - value if polarity == "higher" else value - target


def _achievement(
    value: float, target: float, polarity: str, previous: float | None
) -> tuple[float | None, str | None]:
    """% of targeted improvement plus, when a fallback was used, a note saying which and why."""
    if previous is not None:
        wanted = target - previous if polarity == "higher" else previous - target
        if wanted > 0:
            got = value - previous if polarity == "higher" else previous - value
            pct = got / wanted * 100.0
            return (pct, None) if math.isfinite(pct) else (None, "numbers too extreme to compute")
        cause = "target equals previous" if wanted == 0 else "previous already beyond target"
    else:
        cause = "no previous value"
    if target > 0 and value > 0:
        pct = (value / target if polarity == "higher" else target / value) * 100.0
        how = "value/target ratio" if polarity == "higher" else "target/value ratio"
    elif target != 0:
        pct = (1.0 - _shortfall(value, target, polarity) / abs(target)) * 100.0
        how = "distance from target (a ratio is meaningless for zero/negative scores)"
    else:
        return None, f"target is 0 and {cause}"
    if not math.isfinite(pct):
        return None, "numbers too extreme to compute"
    return pct, f"{how} used: {cause}"


def percent_of_targeted_improvement(
    value: float | None, target: float | None, polarity: str, previous: float | None
) -> float | None:
    """% of the targeted improvement achieved (with the documented fallbacks); None if undefined."""
    v, t, p = _finite(value), _finite(target), _finite(previous)
    if v is None or t is None or polarity not in ("higher", "lower"):
        return None
    pct, _ = _achievement(v, t, polarity, p)
    return pct


def gap_to_target(value: float | None, target: float | None, polarity: str) -> float | None:
    """How far the value is beyond its target on the good side (negative: short of it); None when undefined."""
    v, t = _finite(value), _finite(target)
    if v is None or t is None or polarity not in ("higher", "lower"):
        return None
    return -_shortfall(v, t, polarity)


def kpi_rag(
    value: float | None,
    target: float | None,
    polarity: str,
    *,
    rule: str = "tolerance",
    tolerance_pct: float = 5.0,
    previous: float | None = None,
    target_is_text: bool = False,
) -> RagResult:
    """Derive a RAG for one KPI result under a named rule (see module docstring for the rules)."""
    if rule not in RULES:
        raise ValueError(f"unknown RAG rule {rule!r}; expected one of {RULES}")
    if not math.isfinite(tolerance_pct) or tolerance_pct < 0:
        raise ValueError(f"tolerance_pct must be a finite number >= 0, got {tolerance_pct!r}")
    if polarity == "monitor":
        return _result(None, "Monitor-only KPI: no RAG")
    if polarity not in ("higher", "lower"):
        return _result(None, "Polarity unknown: no RAG")
    if target_is_text:
        return _result(None, "Text target: no RAG")
    t = _finite(target)
    if t is None:
        return _result(None, "No numeric target: no RAG")
    v = _finite(value)
    if v is None:
        return _result(None, "No value")
    vs = f"({_fmt(v)} vs {_fmt(t)})"
    if _met(v, t, polarity):
        return _result("green", f"Target met {vs}")

    if rule == "tolerance":
        short = _shortfall(v, t, polarity)
        tol = f"{tolerance_pct:g}%"
        if t != 0:
            within = short <= abs(t) * tolerance_pct / 100.0
            if within:
                return _result("amber", f"Within {tol} of target {vs}")
            return _result("red", f"More than {tol} short of target {vs}")
        margin = f"{tolerance_pct / 100.0:g}"
        if short <= tolerance_pct / 100.0:
            return _result("amber", f"Within {margin} of a zero target {vs}")
        return _result("red", f"More than {margin} short of a zero target {vs}")

    pct, note = _achievement(v, t, polarity, _finite(previous))
    if pct is None:
        return _result(None, f"Target not met {vs}; % of targeted improvement undefined: {note}")
    pct = round(pct, _DIGITS)
    if note is None:
        reason = f"{_fmt_pct(pct)}% of targeted improvement achieved {vs}"
    else:
        reason = f"{_fmt_pct(pct)}% of target achieved {vs}; {note}"
    if pct >= _GREEN_AMBER_FROM:
        return _result("green_amber", reason)
    if pct >= _RED_AMBER_FROM:
        return _result("red_amber", reason)
    return _result("red", reason)


def _as_level(raw: RagResult | str | None) -> str | None:
    if isinstance(raw, RagResult):
        return raw.level
    if raw is None:
        return None
    return raw if raw in vocab.RAG_LEVELS else vocab.normalise_rag(raw)


def rag_mismatch(derived: RagResult | str | None, reported_level: str | None) -> bool:
    """True when derived and reported RAG fall in different bands; never flags a missing side.

    Bands, not levels, because the rules differ in granularity (tolerance has no
    Green Amber) and a GA-vs-Amber difference is not a disagreement worth raising.
    """
    derived_band = vocab.rag_band(_as_level(derived))
    reported_band = vocab.rag_band(_as_level(reported_level))
    if derived_band is None or reported_band is None:
        return False
    return derived_band != reported_band


def direction(
    current: float | None, previous: float | None, polarity: str, *, tolerance: float = 0.0
) -> str | None:
    """Direction of travel in vocab.DIRECTIONS; polarity decides whether "up" is good.

    Monitor (and unrecognised) polarities get a neutral "up"/"down" because the
    dashboard must not call a change good or bad when nobody has said which it is.
    """
    c, p = _finite(current), _finite(previous)
    if c is None:
        return None
    if p is None:
        return "new"
    diff = round(c - p, _DIGITS)  # spreadsheet float noise (95.9 - 95.8 = 0.1000000000000085) is no change
    if abs(diff) <= tolerance:
        return "no_change"
    if polarity == "higher":
        return "improving" if diff > 0 else "worsening"
    if polarity == "lower":
        return "improving" if diff < 0 else "worsening"
    return "up" if diff > 0 else "down"


@dataclass(frozen=True)
class ActionFlags:
    """Facts about an action the pages highlight, computed once so every page agrees."""

    overdue: bool
    green_but_overdue: bool
    awaiting_signoff: bool
    days_overdue: int | None


def action_flags(due: date | None, status: str | None, reported_rag: str | None, as_at: date) -> ActionFlags:
    """Flag overdue, green-but-overdue and awaiting-sign-off actions as at a reporting date.

    Overdue means the due date is strictly before ``as_at`` and the status is not
    done (vocab.DONE_STATUSES). An unknown status counts as not done: a missing
    update on a late action is exactly what a board wants to see.
    Status and RAG may be codes or raw words; they are normalised through vocab.
    """
    code = vocab.normalise_status(status)
    overdue = due is not None and due < as_at and code not in vocab.DONE_STATUSES
    band = vocab.rag_band(_as_level(reported_rag))
    return ActionFlags(
        overdue=overdue,
        green_but_overdue=overdue and band == "green",
        awaiting_signoff=code == "complete_awaiting_signoff",
        days_overdue=(as_at - due).days if overdue and due is not None else None,
    )


def action_rag(reported_rag: str | None, flags: ActionFlags) -> str | None:
    """The RAG level to display for an action: the reported one, never overwritten.

    Flags (e.g. green but overdue) are shown beside it, not folded into it,
    because the RAG is the lead officer's published judgement. This helper exists
    so pages do not each invent their own override.
    """
    del flags  # deliberately unused: flags annotate, they never change the RAG
    return _as_level(reported_rag)
