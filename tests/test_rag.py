"""Tests for lib.rag, anchored on the published Barnet 2016/17 KPI figures (seed-inventory §4.1, §4.4).

The seed letters are the ground truth we can check against. Where no single
rule reproduces a published letter the tests say so explicitly (they document
the data; they are not skipped or xfailed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib import vocab
from lib.rag import (
    RULES,
    ActionFlags,
    RagResult,
    action_flags,
    action_rag,
    direction,
    kpi_rag,
    percent_of_targeted_improvement,
    rag_mismatch,
)

TI = "targeted_improvement"


@dataclass(frozen=True)
class Kpi:
    ref: str
    polarity: str
    target: float
    value: float
    previous: float | None
    published: str  # the letter printed in the result cell


# Every S1 KPI row with a published letter and a numeric target (§4.1). FS/S2's target is
# "Perform in line with statistical neighbours (currently 15.6%)": the importer reads 15.6.
GREEN_ROWS = [
    Kpi("FS/S6", "higher", 42.5, 44.0, 43.5, "G"),
    Kpi("FS/S12", "higher", 448, 1212, 908, "G"),
    Kpi("FS/C14", "lower", 326, 226, 281, "G"),
    Kpi("FS/S8", "higher", 65, 86, 76, "G"),
    Kpi("FS/S15", "higher", 55, 59.8, 55.0, "G"),
    Kpi("FS/S18", "higher", 90, 98, 95.9, "G"),
    Kpi("FS/C16", "higher", 80, 82.7, 83.5, "G"),
    Kpi("FS/C15", "higher", 66, 79, 75, "G"),
    Kpi("FS/S2", "lower", 15.6, 14.8, 12.3, "G"),
    Kpi("CES/S13-1", "higher", 53.50, 56.10, None, "G"),
    Kpi("CES/S13-2", "higher", 0.23, 0.33, None, "G"),
    Kpi("CES/S13-3", "higher", 70.1, 73.1, None, "G"),
    Kpi("CES/S13-4", "higher", 34.2, 43.7, None, "G"),
    Kpi("CES/S3", "higher", 92, 92, 84, "G"),
    Kpi("CES/S25", "higher", 95.9, 95.9, 95.9, "G"),
    Kpi("CES/S18-1", "lower", 2.5, 1.8, 2.0, "G"),
    Kpi("CES/S18-2", "lower", 7.6, 3, 4.7, "G"),
    Kpi("CES/S21", "higher", 99.9, 100, 100, "G"),
    Kpi("CES/S27-1", "higher", 21.4, 23.2, None, "G"),
]
FS_S5 = Kpi("FS/S5", "higher", 10, 8, 12, "GA")
FS_C18 = Kpi("FS/C18", "lower", 10, 10.6, None, "GA")
CES_S26 = Kpi("CES/S26", "higher", 11, 10, None, "GA")
CES_S27_2 = Kpi("CES/S27-2", "higher", -0.68, -0.72, None, "GA")
CES_S16 = Kpi("CES/S16", "higher", -1.14, -1.66, None, "R")
FS_S7 = Kpi("FS/S7", "higher", 63, 60, 60, "R")
FS_S11 = Kpi("FS/S11", "lower", 9.2, 10.4, 9.2, "R")
CES_S1 = Kpi("CES/S1", "higher", 95, 93, 93, "GA")
CES_S15 = Kpi("CES/S15", "higher", 22.8, 19.5, None, "R")
NOT_MET_ROWS = [FS_S5, FS_C18, CES_S26, CES_S27_2, CES_S16, FS_S7, FS_S11, CES_S1, CES_S15]
ALL_ROWS = GREEN_ROWS + NOT_MET_ROWS
# The three rows the seeds' own key (targeted improvement) cannot reproduce.
TI_NON_REPRODUCIBLE = {"FS/S11", "CES/S1", "CES/S15"}


def rag(k: Kpi, rule: str, tolerance_pct: float = 5.0) -> RagResult:
    return kpi_rag(k.value, k.target, k.polarity, rule=rule, tolerance_pct=tolerance_pct, previous=k.previous)


def published_level(k: Kpi) -> str:
    level = vocab.normalise_rag(k.published)
    assert level is not None
    return level


def test_tally_matches_seed_inventory() -> None:
    # §4.1: 20 G (19 numeric + CES/S1-2 with a rank target), 5 GA, 4 R.
    letters = [k.published for k in ALL_ROWS]
    assert (letters.count("G"), letters.count("GA"), letters.count("R")) == (19, 5, 4)


# --- Published greens: every rule, every tolerance --------------------------------------------


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("k", GREEN_ROWS, ids=lambda k: k.ref)
def test_published_green_reproduced_by_both_rules(k: Kpi, rule: str) -> None:
    result = rag(k, rule)
    assert result.level == "green"
    assert result.band == "green"
    assert result.reason.startswith("Target met")
    assert not rag_mismatch(result, published_level(k))


def test_fs_s6_reason_names_the_figures() -> None:
    assert kpi_rag(44.0, 42.5, "higher").reason == "Target met (44.0 vs 42.5)"


def test_green_examples_from_brief() -> None:
    assert kpi_rag(1212, 448, "higher").level == "green"  # FS/S12
    assert kpi_rag(226, 326, "lower").level == "green"  # FS/C14
    assert kpi_rag(98, 90, "higher").level == "green"  # FS/S18
    assert kpi_rag(95.9, 95.9, "higher").level == "green"  # CES/S25: equal to target counts as met
    assert kpi_rag(0.1 + 0.2, 0.3, "lower").level == "green"  # float noise is not a miss


# --- Targeted improvement: the seeds' key ------------------------------------------------------


def test_fs_s5_exact_80_percent_is_green_amber() -> None:
    # Previous (12) already beyond the target (10): improvement undefined, ratio 8/10 = 80% exactly.
    result = rag(FS_S5, TI)
    assert result.level == "green_amber"
    assert "80% of target achieved" in result.reason
    assert "previous already beyond target" in result.reason
    assert percent_of_targeted_improvement(8, 10, "higher", 12) == pytest.approx(80.0)
    assert not rag_mismatch(result, "GA")


def test_fs_s5_tolerance_needs_20_percent() -> None:
    # Tolerance reproduces the GA band only once the tolerance reaches the 20% shortfall.
    assert rag(FS_S5, "tolerance", 5.0).level == "red"
    assert rag(FS_S5, "tolerance", 19.9).level == "red"
    assert rag(FS_S5, "tolerance", 20.0).level == "amber"
    assert not rag_mismatch(rag(FS_S5, "tolerance", 20.0), "GA")


@pytest.mark.parametrize(
    ("k", "expected_pct"),
    [(FS_C18, 10 / 10.6 * 100), (CES_S26, 10 / 11 * 100)],
    ids=lambda x: x.ref if isinstance(x, Kpi) else "",
)
def test_ratio_fallback_without_previous_gives_green_amber(k: Kpi, expected_pct: float) -> None:
    result = rag(k, TI)
    assert result.level == "green_amber"
    assert "no previous value" in result.reason
    assert percent_of_targeted_improvement(k.value, k.target, k.polarity, k.previous) == pytest.approx(
        expected_pct
    )
    assert not rag_mismatch(result, k.published)


def test_negative_scores_use_distance_not_ratio() -> None:
    # CES/S16 -1.66 vs -1.14 (R) and CES/S27-2 -0.72 vs -0.68 (GA): a ratio would exceed 100%.
    s16 = rag(CES_S16, TI)
    assert s16.level == "red"
    assert percent_of_targeted_improvement(-1.66, -1.14, "higher", None) == pytest.approx(
        (1 - 0.52 / 1.14) * 100
    )
    assert "distance from target" in s16.reason
    s27 = rag(CES_S27_2, TI)
    assert s27.level == "green_amber"
    assert percent_of_targeted_improvement(-0.72, -0.68, "higher", None) == pytest.approx(
        (1 - 0.04 / 0.68) * 100
    )
    assert not rag_mismatch(s16, "R")
    assert not rag_mismatch(s27, "GA")


def test_targeted_improvement_reproduces_all_but_three_published_letters() -> None:
    reproduced = {k.ref for k in ALL_ROWS if not rag_mismatch(rag(k, TI), published_level(k))}
    assert {k.ref for k in ALL_ROWS} - reproduced == TI_NON_REPRODUCIBLE


def test_default_tolerance_reproduces_a_different_subset() -> None:
    mismatched = {k.ref for k in ALL_ROWS if rag_mismatch(rag(k, "tolerance"), published_level(k))}
    assert mismatched == {"FS/S5", "FS/S7", "FS/C18", "CES/S26", "CES/S27-2"}


def test_no_tolerance_setting_reproduces_every_published_letter() -> None:
    # Shortfalls as % of target: amber letters at 2.1, 5.9, 6.0, 9.1, 20; red at 4.8, 13.0, 14.5, 45.6.
    for tenths in range(0, 1001):
        tol = tenths / 10
        assert any(rag_mismatch(rag(k, "tolerance", tol), published_level(k)) for k in ALL_ROWS), tol


# --- §4.4 cases no single rule reproduces (documented, deliberately not skipped) ---------------


def test_section_4_4_fs_s7_only_improvement_rule_gives_published_red() -> None:
    # FS/S7 60 vs 63, previous 60, published R: no improvement on last year.
    assert percent_of_targeted_improvement(60, 63, "higher", 60) == 0.0
    assert rag(FS_S7, TI).level == "red"
    tol = rag(FS_S7, "tolerance")
    assert tol.level == "amber"  # 4.8% short: within the default 5%
    assert rag_mismatch(tol, "R")
    assert not rag_mismatch(rag(FS_S7, TI), "R")


def test_section_4_4_fs_s11_target_equals_previous_not_reproduced_by_key() -> None:
    # FS/S11 10.4 vs 9.2, previous 9.2, lower is better, published R. target == previous makes
    # the improvement a division by zero; the ratio fallback 9.2/10.4 = 88% gives GA, not R.
    result = rag(FS_S11, TI)
    assert result.level == "green_amber"
    assert "target equals previous" in result.reason
    assert percent_of_targeted_improvement(10.4, 9.2, "lower", 9.2) == pytest.approx(9.2 / 10.4 * 100)
    assert rag_mismatch(result, "R")
    assert rag(FS_S11, "tolerance").level == "red"  # 13% short: tolerance at 5% does give R


def test_section_4_4_ces_s1_published_ga_contradicts_fs_s7() -> None:
    # CES/S1 93 vs 95, previous 93, published GA: same "no improvement" shape as FS/S7 (published R).
    result = rag(CES_S1, TI)
    assert result.level == "red"
    assert percent_of_targeted_improvement(93, 95, "higher", 93) == 0.0
    assert rag_mismatch(result, "GA")
    assert rag(CES_S1, "tolerance").level == "amber"  # 2.1% short
    # The two rows differ only in shortfall, so whichever rule fits one misfits the other.
    for rule in RULES:
        assert rag_mismatch(rag(CES_S1, rule), "GA") or rag_mismatch(rag(FS_S7, rule), "R")


def test_section_4_4_ces_s15_ratio_gives_ga_not_published_red() -> None:
    # CES/S15 19.5 vs 22.8, new indicator (no previous), published R: ratio 86% -> GA.
    result = rag(CES_S15, TI)
    assert result.level == "green_amber"
    assert percent_of_targeted_improvement(19.5, 22.8, "higher", None) == pytest.approx(19.5 / 22.8 * 100)
    assert rag_mismatch(result, "R")
    assert rag(CES_S15, "tolerance").level == "red"  # 14.5% short


# --- Not RAG-able --------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", RULES)
def test_monitor_kpi_has_no_rag(rule: str) -> None:
    # FS/S4 referrals 345, target "Monitor".
    result = kpi_rag(345, None, "monitor", rule=rule, previous=396)
    assert result == RagResult(None, None, "Monitor-only KPI: no RAG")
    assert not rag_mismatch(result, None)


@pytest.mark.parametrize("text", ["Year on year improvement", "Rank 13, 2016 (Improve national ranking)"])
@pytest.mark.parametrize("rule", RULES)
def test_text_target_has_no_rag(text: str, rule: str) -> None:
    # FS/S13 "Year on year improvement"; CES/S8 "Rank 13, 2016" (the importer passes target None).
    result = kpi_rag(1.5, None, "higher", rule=rule, target_is_text=True)
    assert result.level is None and result.band is None
    assert result.reason == "Text target: no RAG"
    # CES/S1-2 printed G against a rank target: no derived RAG, so no mismatch is raised.
    assert not rag_mismatch(result, "G")


def test_missing_value_or_target() -> None:
    assert kpi_rag(None, 42.5, "higher").reason == "No value"  # FS/S17 "Not available"
    assert kpi_rag(44.0, None, "higher").reason == "No numeric target: no RAG"
    assert kpi_rag(math.nan, 42.5, "higher").level is None
    assert kpi_rag(44.0, 42.5, "sideways").reason == "Polarity unknown: no RAG"


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError):
        kpi_rag(1, 2, "higher", rule="vibes")
    with pytest.raises(ValueError):
        kpi_rag(1, 2, "higher", tolerance_pct=-1)


# --- Boundaries and edge cases ---------------------------------------------------------------------


def test_targeted_improvement_band_boundaries() -> None:
    # previous 0, target 100: % achieved == value.
    assert kpi_rag(80, 100, "higher", rule=TI, previous=0).level == "green_amber"
    assert kpi_rag(79.9, 100, "higher", rule=TI, previous=0).level == "red_amber"
    assert kpi_rag(65, 100, "higher", rule=TI, previous=0).level == "red_amber"
    assert kpi_rag(64.9, 100, "higher", rule=TI, previous=0).level == "red"
    assert kpi_rag(99.99, 100, "higher", rule=TI, previous=0).level == "green_amber"
    # Lower is better mirrored: previous 20, target 10, value 12 -> 80%.
    assert percent_of_targeted_improvement(12, 10, "lower", 20) == pytest.approx(80.0)
    assert kpi_rag(12, 10, "lower", rule=TI, previous=20).level == "green_amber"
    # Float noise at the boundary: 0.1 + 0.7 == 0.7999999999999999 must still count as 80%.
    assert kpi_rag(0.1 + 0.7, 1.0, "higher", rule=TI, previous=0.0).level == "green_amber"


def test_percent_displayed_rounded_down() -> None:
    result = kpi_rag(79.96, 100, "higher", rule=TI, previous=0)
    assert result.level == "red_amber"
    assert result.reason.startswith("79.9% of targeted improvement achieved")


def test_zero_target() -> None:
    # Tolerance: absolute margin tolerance_pct/100 units.
    assert kpi_rag(0.04, 0, "lower").level == "amber"
    assert kpi_rag(0.06, 0, "lower").level == "red"
    assert kpi_rag(0, 0, "lower").level == "green"
    # Targeted improvement: usable previous -> fine; none -> undefined, no invented RAG.
    assert kpi_rag(3, 0, "lower", rule=TI, previous=5).level == "red"  # 40%
    undefined = kpi_rag(3, 0, "lower", rule=TI)
    assert undefined.level is None
    assert "target is 0" in undefined.reason
    assert percent_of_targeted_improvement(3, 0, "lower", None) is None


def test_negative_target_tolerance() -> None:
    # Progress 8: -1.66 vs -1.14 is 45.6% short of |target|.
    assert kpi_rag(-1.66, -1.14, "higher", tolerance_pct=50).level == "amber"
    assert kpi_rag(-1.66, -1.14, "higher", tolerance_pct=45).level == "red"
    assert kpi_rag(-1.0, -1.14, "higher").level == "green"


def test_percent_of_targeted_improvement_none_cases() -> None:
    assert percent_of_targeted_improvement(None, 10, "higher", 5) is None
    assert percent_of_targeted_improvement(8, None, "higher", 5) is None
    assert percent_of_targeted_improvement(8, 10, "monitor", 5) is None
    assert percent_of_targeted_improvement(8, 10, "higher", 6) == pytest.approx(50.0)


# --- rag_mismatch ---------------------------------------------------------------------------------


def test_rag_mismatch_compares_bands() -> None:
    assert not rag_mismatch("amber", "GA")  # tolerance's amber vs published Green Amber: same band
    assert not rag_mismatch("green_amber", "Red Amber")
    assert not rag_mismatch("green", "blue")
    assert rag_mismatch("green", "R")
    assert rag_mismatch(RagResult("red", "red", "x"), "(GA)")
    assert not rag_mismatch(None, "R")
    assert not rag_mismatch("red", None)
    assert not rag_mismatch(RagResult(None, None, "No value"), "G")
    assert not rag_mismatch("not a colour", "G")


# --- Direction of travel --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "current", "previous", "polarity", "expected"),
    [
        ("FS/S6", 44.0, 43.5, "higher", "improving"),
        ("FS/S2", 14.8, 12.3, "lower", "worsening"),  # published "Worsening" despite G
        ("FS/S7", 60, 60, "higher", "no_change"),  # published "Same"
        ("FS/C16", 82.7, 83.5, "higher", "worsening"),  # published "Worsening" despite G
        ("FS/C14", 226, 281, "lower", "improving"),
        ("FS/S4", 345, 396, "monitor", "down"),
        ("FS/S3", 10, 7, "monitor", "up"),
        ("CES/S13-1", 56.10, None, "higher", "new"),  # "New for 2016/17"
        ("FS/S17", None, None, "higher", None),  # "Not available"
    ],
)
def test_direction_seed_rows(
    ref: str, current: float | None, previous: float | None, polarity: str, expected: str | None
) -> None:
    got = direction(current, previous, polarity)
    assert got == expected, ref
    assert got is None or got in vocab.DIRECTIONS


def test_direction_tolerance() -> None:
    assert direction(95.9, 95.8, "higher", tolerance=0.1) == "no_change"
    assert direction(95.9, 95.7, "higher", tolerance=0.1) == "improving"


# --- Action flags -----------------------------------------------------------------------------------

AS_AT = date(2017, 10, 31)


def test_overdue_green_action() -> None:
    # An LSCB plan milestone due "Sept 17", still in progress, reported Green at end of October.
    flags = action_flags(date(2017, 9, 30), "in_progress", "Green", AS_AT)
    assert flags == ActionFlags(overdue=True, green_but_overdue=True, awaiting_signoff=False, days_overdue=31)
    assert action_rag("Green", flags) == "green"  # reported RAG never overwritten


def test_overdue_red_action_is_not_green_but_overdue() -> None:
    flags = action_flags(date(2017, 7, 31), "Ongoing", "R", AS_AT)
    assert flags.overdue and not flags.green_but_overdue
    assert flags.days_overdue == 92
    assert action_rag("R", flags) == "red"


def test_done_actions_are_never_overdue() -> None:
    for status in ("complete", "[completed]", "complete_awaiting_signoff", "Complete - awaiting sign-off"):
        flags = action_flags(date(2017, 5, 31), status, "G", AS_AT)
        assert not flags.overdue and flags.days_overdue is None, status
    assert action_flags(date(2017, 5, 31), "Complete - awaiting sign-off", "G", AS_AT).awaiting_signoff


def test_due_today_or_later_is_not_overdue() -> None:
    assert not action_flags(AS_AT, "in_progress", "G", AS_AT).overdue
    assert not action_flags(date(2018, 6, 30), "not_started", None, AS_AT).overdue


def test_no_due_date_or_unknown_status() -> None:
    assert not action_flags(None, "in_progress", "G", AS_AT).overdue
    # Unknown status counts as not done: a late action with no usable update is flagged.
    flags = action_flags(date(2017, 10, 1), None, "Blue", AS_AT)
    assert flags.overdue and flags.green_but_overdue and flags.days_overdue == 30


def test_action_rag_passes_reported_level_through() -> None:
    flags = action_flags(date(2017, 9, 30), "in_progress", "RED", AS_AT)
    assert action_rag("RED", flags) == "red"
    assert action_rag("Amber", flags) == "amber"
    assert action_rag("green_amber", flags) == "green_amber"
    assert action_rag(None, flags) is None


# --- Properties -------------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False)


@given(
    value=finite,
    target=finite,
    previous=st.none() | finite,
    polarity=st.sampled_from(vocab.POLARITIES),
    rule=st.sampled_from(RULES),
    tolerance_pct=st.floats(min_value=0, max_value=100),
)
def test_kpi_rag_never_raises_and_green_iff_met(
    value: float, target: float, previous: float | None, polarity: str, rule: str, tolerance_pct: float
) -> None:
    result = kpi_rag(value, target, polarity, rule=rule, tolerance_pct=tolerance_pct, previous=previous)
    assert result.level is None or result.level in vocab.RAG_LEVELS
    assert result.band == vocab.rag_band(result.level)
    assert result.reason
    if polarity == "monitor":
        assert result.level is None
        return
    met = value >= target if polarity == "higher" else value <= target
    met = met or math.isclose(value, target, rel_tol=1e-9)  # float noise counts as met
    assert (result.level == "green") == met
    if rule == "tolerance":
        assert result.level in ("green", "amber", "red")


@given(
    value=finite,
    target=finite,
    previous=st.none() | finite,
    polarity=st.sampled_from(("higher", "lower")),
)
def test_targeted_improvement_level_agrees_with_percent(
    value: float, target: float, previous: float | None, polarity: str
) -> None:
    result = kpi_rag(value, target, polarity, rule=TI, previous=previous)
    pct = percent_of_targeted_improvement(value, target, polarity, previous)
    if result.level in ("green_amber", "red_amber", "red"):
        assert pct is not None
        pct = round(pct, 9)
        if result.level == "green_amber":
            assert pct >= 80
        elif result.level == "red_amber":
            assert 65 <= pct < 80
        else:
            assert pct < 65


@given(current=st.none() | finite, previous=st.none() | finite, polarity=st.sampled_from(vocab.POLARITIES))
def test_direction_mirrors_polarity(current: float | None, previous: float | None, polarity: str) -> None:
    got = direction(current, previous, polarity)
    assert got is None or got in vocab.DIRECTIONS
    if current is not None and previous is not None and polarity != "monitor":
        mirrored = direction(current, previous, "lower" if polarity == "higher" else "higher")
        swap = {"improving": "worsening", "worsening": "improving"}
        assert mirrored == swap.get(got or "", got)
