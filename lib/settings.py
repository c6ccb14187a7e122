"""User-editable settings: our authority and each KPI's RAG rule and amber tolerance.

Written only on an explicit save (never during a page rerun), through the store.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from lib import formatting, rag, store
from lib.model import Authority, Kpi, Setting


def set_authority(engine: Engine, la_code: str) -> None:
    with store.write(engine) as session:
        if session.get(Authority, la_code) is None:
            raise ValueError(f"Unknown local authority code {la_code!r}")
        row = session.get(Setting, "authority")
        if row is None:
            session.add(Setting(key="authority", value=la_code))
        else:
            row.value = la_code


def kpi_rules(engine: Engine) -> pd.DataFrame:
    with store.read(engine) as session:
        rows = [
            {"ref": k.ref, "name": k.name, "polarity": k.polarity, "rag_rule": k.rag_rule,
             "amber_tolerance": k.amber_tolerance}
            for k in session.scalars(select(Kpi).order_by(Kpi.id))
        ]
    return pd.DataFrame(rows, columns=["ref", "name", "polarity", "rag_rule", "amber_tolerance"])


def save_kpi_rules(engine: Engine, edited: pd.DataFrame) -> int:
    """Apply edited rules; returns how many KPIs changed. Rejects unknown rules or bad tolerances."""
    changed = 0
    with store.write(engine) as session:
        kpis = {k.ref: k for k in session.scalars(select(Kpi))}
        for row in edited.itertuples(index=False):
            kpi = kpis.get(str(row.ref))
            if kpi is None:
                continue
            rule = str(row.rag_rule)
            if rule not in rag.RULES:
                raise ValueError(f"{row.ref}: unknown RAG rule {rule!r}")
            tolerance = float(row.amber_tolerance)
            if not 0 <= tolerance <= 100:
                raise ValueError(f"{row.ref}: amber tolerance must be between 0 and 100")
            if kpi.rag_rule != rule or abs(kpi.amber_tolerance - tolerance) > 1e-9:
                kpi.rag_rule, kpi.amber_tolerance = rule, tolerance
                changed += 1
    return changed


RULES_TABLE = {"ref": "Ref", "rag_rule": "RAG rule", "amber_tolerance": "Amber tolerance (%)", "polarity": "Polarity",
               "name": "KPI"}


def rules_table(engine: Engine) -> pd.DataFrame:
    """Each KPI's rule as the Settings page edits it: words, never codes."""
    rules = kpi_rules(engine)
    rules["rag_rule"] = rules["rag_rule"].map(formatting.rule_label)
    rules["polarity"] = rules["polarity"].map(formatting.polarity_text)
    return rules[list(RULES_TABLE)].rename(columns=RULES_TABLE)


def save_rules_table(engine: Engine, edited: pd.DataFrame) -> int:
    """Save the Settings page's edited table (rule words back to rule names)."""
    by_label = {formatting.rule_label(rule): rule for rule in rag.RULES}
    raw = edited.rename(columns={v: k for k, v in RULES_TABLE.items()})
    raw["rag_rule"] = [by_label.get(str(r), str(r)) for r in raw["rag_rule"]]
    return save_kpi_rules(engine, raw)
