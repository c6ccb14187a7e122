"""Ofsted (and related) grade strings normalised to a per-framework score.

Why this exists: papers print the same judgement as "Grade 3 (Adequate)",
"\u2013 Grade 4 (Inadequate)", "good", "Requires improvement to be good",
"satisfactory" or "'performs excellently' (4)", and the scales differ by
framework (the pre-2012 annual assessment has 4 as its *best* grade). Scales
are data (reference_data/frameworks.yaml); this module only applies them, so a
new framework is a YAML edit, not a code change. Pure: no I/O.

Matching rules (all case-insensitive, punctuation ignored):

* Words: the scale's labels and word synonyms are matched as whole phrases,
  longest first, each matched span consumed, so "requires improvement to be
  good" is one grade (3), not also "good".
* Numbers: a stand-alone single digit ("Grade 3", "(4)") maps through the
  scale's digit synonyms if it has any (annual assessment: "4" -> score 1),
  otherwise it is read as the score itself (Ofsted "Grade N" = score N).
* Word and number disagree ("Grade 4 (Good)"): trust the word. The word is what
  the inspector wrote; a number may be a typo or come from another scale's
  numbering (annual assessment 4 = best, Ofsted 4 = worst). The published text
  is always kept, so the disagreement stays auditable.
* Hedges ("at least 'adequate'", "good or better") and text naming two
  different grades ("good or outstanding") are not a grade: score None.
* Ungraded frameworks (focused visits, monitoring visits, JTAI) and blanks: None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_HEDGE = re.compile(
    r"\b(at least|at most|or better|or above|or worse|or below|no better than|no worse than|"
    r"better than|worse than)\b"
)


@dataclass(frozen=True)
class Scale:
    """One framework's grade scale: (score, label, synonyms), score 1 = best."""

    framework: str
    graded: bool
    grades: tuple[tuple[int, str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Grade:
    """A published grade string with its canonical label and score (None when not a grade)."""

    published: str
    label: str | None
    score: int | None


def load_scales(frameworks: list[dict[str, Any]]) -> dict[str, Scale]:
    """Build scales from the parsed YAML ``frameworks`` list (the caller reads the file).

    Raises ValueError on malformed data (missing code, duplicate code or score)
    so a bad reference file fails at start-up rather than mis-grading silently.
    """
    scales: dict[str, Scale] = {}
    for fw in frameworks:
        code = fw.get("code")
        if not code:
            raise ValueError(f"framework without a code: {fw!r}")
        code = str(code)
        if code in scales:
            raise ValueError(f"duplicate framework code {code!r}")
        rows = fw.get("scale") or []
        grades: list[tuple[int, str, tuple[str, ...]]] = []
        for row in rows:
            score = int(row["score"])
            synonyms = tuple(str(s) for s in (row.get("synonyms") or []))
            grades.append((score, str(row["label"]), synonyms))
        scores = [g[0] for g in grades]
        if len(set(scores)) != len(scores):
            raise ValueError(f"framework {code!r} repeats a score")
        graded = bool(fw.get("graded", bool(grades)))
        if graded and not grades:
            raise ValueError(f"framework {code!r} is graded but has no scale")
        scales[code] = Scale(framework=code, graded=graded, grades=tuple(sorted(grades)))
    return scales


def _clean(text: str) -> str:
    """Lower case, punctuation (dashes, quotes, brackets) to spaces, single-spaced."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _word_scores(text: str, scale: Scale) -> set[int]:
    phrases: list[tuple[str, int]] = []
    for score, label, synonyms in scale.grades:
        for phrase in (label, *synonyms):
            cleaned = _clean(phrase)
            if cleaned and not cleaned.isdigit():
                phrases.append((cleaned, score))
    phrases.sort(key=lambda p: len(p[0]), reverse=True)
    found: set[int] = set()
    padded = f" {text} "
    for phrase, score in phrases:
        needle = f" {phrase} "
        if needle in padded:
            found.add(score)
            padded = padded.replace(needle, " | ")
    return found


def _number_scores(text: str, scale: Scale) -> set[int]:
    digit_synonyms = {s: score for score, _, syns in scale.grades for s in syns if s.strip().isdigit()}
    valid = {score for score, _, _ in scale.grades}
    found: set[int] = set()
    for token in text.split():
        if len(token) != 1 or not token.isdigit():
            continue
        if digit_synonyms:
            if token in digit_synonyms:
                found.add(digit_synonyms[token])
        elif int(token) in valid:
            found.add(int(token))
    return found


def _published_text(published: object) -> str:
    if published is None:
        return ""
    if isinstance(published, float) and published.is_integer():
        return str(int(published))  # an Excel cell holding 3.0
    return str(published)


def normalise_grade(published: object, scale: Scale) -> Grade:
    """Read a published grade string under one framework's scale (rules in the module docstring)."""
    text = _published_text(published)
    nothing = Grade(published=text, label=None, score=None)
    cleaned = _clean(text)
    if not scale.graded or not cleaned or _HEDGE.search(cleaned):
        return nothing
    words = _word_scores(cleaned, scale)
    numbers = _number_scores(cleaned, scale)
    if len(words) == 1:
        score = next(iter(words))
    elif not words and len(numbers) == 1:
        score = next(iter(numbers))
    else:
        return nothing
    label = next(lab for s, lab, _ in scale.grades if s == score)
    return Grade(published=text, label=label, score=score)


def published_number(scale: Scale, score: int) -> int:
    """The number a score is printed as on its own scale (annual assessment: score 1 is printed 4)."""
    for grade_score, _, synonyms in scale.grades:
        if grade_score == score:
            digits = [s.strip() for s in synonyms if s.strip().isdigit()]
            return int(digits[0]) if digits else score
    return score


def label_of(scale: Scale, score: int) -> str | None:
    """The canonical word of a score on a scale (None when the scale has no such score)."""
    return next((label for s, label, _ in scale.grades if s == score), None)
