"""Tables and relations of an Ofsted improvement programme and its KPIs.

Why these shapes (see ../shared/domain/seed-inventory.md §0):
- grade scales differ by framework, so a judgement keeps the grade *as published*
  beside a normalised 1-4 score, and frameworks/scales are rows, not code;
- judgements nest (overall → key judgement → sub-judgement) and may belong to
  another body (the LSCB);
- actions answer many recommendations (or "ALL"), so the link is many-to-many;
- RAG *as reported* is stored verbatim; derived RAG is computed, never stored over it;
- every period carries its kind (month, financial year, academic year, as-at...);
- percentages are stored as percentage points (44.0 means 44%);
- every imported value keeps its provenance (upload, sheet, cell).

The schema is created and upgraded by Alembic migrations in ``lib/migrations``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lib import rag


class Base(DeclarativeBase):
    pass


# --- Reference: authorities, frameworks, statistical neighbours -------------------


class Authority(Base):
    __tablename__ = "authority"
    la_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    ecode: Mapped[str | None] = mapped_column(String(9))
    region: Mapped[str | None] = mapped_column(String(60))
    la_type: Mapped[str | None] = mapped_column(String(60))
    ofsted_urn: Mapped[str | None] = mapped_column(String(12))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class StatisticalNeighbour(Base):
    __tablename__ = "statistical_neighbour"
    la_code: Mapped[str] = mapped_column(ForeignKey("authority.la_code"), primary_key=True)
    set_name: Mapped[str] = mapped_column(String(10), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    neighbour_code: Mapped[str] = mapped_column(String(3))
    closeness: Mapped[str | None] = mapped_column(String(30))


class Framework(Base):
    __tablename__ = "framework"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short: Mapped[str] = mapped_column(String(60))
    years: Mapped[str | None] = mapped_column(String(20))
    graded: Mapped[bool] = mapped_column(Boolean)


class GradeScale(Base):
    """One grade word of one framework's scale: the scales are data."""

    __tablename__ = "grade_scale"
    framework_code: Mapped[str] = mapped_column(ForeignKey("framework.code"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(60))
    synonyms: Mapped[str] = mapped_column(Text, default="")  # "|"-separated


class JudgementArea(Base):
    """Crosswalk of published area wording to a stable key, across frameworks."""

    __tablename__ = "judgement_area"
    framework_code: Mapped[str] = mapped_column(String(30), primary_key=True)
    area_pattern: Mapped[str] = mapped_column(String(300), primary_key=True)
    area_key: Mapped[str] = mapped_column(String(60), index=True)
    area_label: Mapped[str] = mapped_column(String(120))
    sort: Mapped[int] = mapped_column(Integer, default=0)


# --- Inspections, judgements, recommendations ---------------------------------


class Inspection(Base):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("authority_code", "framework_code", "start_date", "body"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authority.la_code"), index=True)
    framework_code: Mapped[str] = mapped_column(ForeignKey("framework.code"))
    body: Mapped[str] = mapped_column(String(80), default="Local authority")
    title: Mapped[str | None] = mapped_column(Text)
    inspection_type: Mapped[str | None] = mapped_column(String(80))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    published_date: Mapped[dt.date | None] = mapped_column(Date)
    graded: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str | None] = mapped_column(Text)  # seed line, official file, or upload
    note: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by
    judgements: Mapped[list[Judgement]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Judgement.position"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="Recommendation.position"
    )


class Judgement(Base):
    __tablename__ = "judgement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("judgement.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    section: Mapped[str | None] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(Text)  # as published
    area_key: Mapped[str | None] = mapped_column(String(60), index=True)  # crosswalk key
    grade: Mapped[str | None] = mapped_column(String(120))  # as published
    score: Mapped[int | None] = mapped_column(Integer)  # 1 best .. 4 worst; None if ungraded
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by
    inspection: Mapped[Inspection] = relationship(back_populates="judgements")


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("inspection_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    timeframe: Mapped[str | None] = mapped_column(String(80))
    addressed_to: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default="recommendation")
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by
    inspection: Mapped[Inspection] = relationship(back_populates="recommendations")


# --- Plans, actions, updates ---------------------------------------------------


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(Text)
    authority_code: Mapped[str] = mapped_column(ForeignKey("authority.la_code"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    produced: Mapped[dt.date | None] = mapped_column(Date)
    start_date: Mapped[dt.date | None] = mapped_column(Date)  # "3 months" milestones count from here
    status: Mapped[str | None] = mapped_column(String(80))
    oversight: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class Objective(Base):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    lead_officers: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(30))  # e.g. "1.03"
    position: Mapped[int] = mapped_column(Integer, default=0)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    lead_officer: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(String(120))  # "Dec 17, March 18", "3 months"
    horizon: Mapped[str | None] = mapped_column(String(40))
    oversight: Mapped[str | None] = mapped_column(Text)
    success_measures: Mapped[str | None] = mapped_column(Text)
    applies_to_all: Mapped[bool] = mapped_column(Boolean, default=False)  # "ALL" recommendations
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by
    recommendations: Mapped[list[Recommendation]] = relationship(secondary="action_recommendation")
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionUpdate.period_end"
    )


class Milestone(Base):
    """One dated step of an action ("3 months: …", "Dec 17, March 18"), with its own status."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("action_id", "position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    due_text: Mapped[str | None] = mapped_column(String(120))  # as printed: "3 months", "Dec 17"
    status: Mapped[str | None] = mapped_column(String(40))  # vocab.STATUSES, when reported
    status_reported: Mapped[str | None] = mapped_column(String(120))  # verbatim
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class ActionRecommendation(Base):
    __tablename__ = "action_recommendation"
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True
    )
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class RecommendationKpi(Base):
    """A KPI that evidences a recommendation's impact (the plan's "measured by")."""

    __tablename__ = "recommendation_kpi"
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), primary_key=True
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class ActionUpdate(Base):
    """One dated progress layer for an action, as the lead officer reported it."""

    __tablename__ = "action_update"
    __table_args__ = (UniqueConstraint("action_id", "period_end"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    period_end: Mapped[dt.date] = mapped_column(Date, index=True)
    period_label: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(40))  # vocab.STATUSES
    status_reported: Mapped[str | None] = mapped_column(String(120))  # verbatim
    rag: Mapped[str | None] = mapped_column(String(20))  # vocab.RAG_LEVELS
    rag_reported: Mapped[str | None] = mapped_column(String(40))  # verbatim
    commentary: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(200))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)
    source_sheet: Mapped[str | None] = mapped_column(String(120))
    source_cell: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[Action] = relationship(back_populates="updates")


# --- KPIs, periods, values, benchmarks -------------------------------------------


class Kpi(Base):
    __tablename__ = "kpi"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    theme: Mapped[str | None] = mapped_column(String(120))
    kpi_type: Mapped[str | None] = mapped_column(String(20))  # CPI / SPI / DU
    unit: Mapped[str] = mapped_column(String(20), default="number")  # vocab.UNITS
    polarity: Mapped[str] = mapped_column(String(10), default="monitor")  # vocab.POLARITIES
    polarity_reported: Mapped[str | None] = mapped_column(String(60))
    rag_rule: Mapped[str] = mapped_column(String(30), default=rag.DEFAULT_RULE)
    amber_tolerance: Mapped[float] = mapped_column(Float, default=rag.DEFAULT_TOLERANCE)  # % of target
    owner: Mapped[str | None] = mapped_column(String(200))
    frequency: Mapped[str | None] = mapped_column(String(20))
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class Period(Base):
    __tablename__ = "period"
    __table_args__ = (UniqueConstraint("kind", "start_date", "end_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # vocab.PERIOD_KINDS
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date, index=True)
    label: Mapped[str] = mapped_column(String(60))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)  # created by


class KpiValue(Base):
    __tablename__ = "kpi_value"
    __table_args__ = (
        UniqueConstraint("kpi_id", "authority_code", "period_id"),  # also the index for (kpi, authority)
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    authority_code: Mapped[str] = mapped_column(ForeignKey("authority.la_code"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    value: Mapped[float | None] = mapped_column(Float)  # percentages in points
    value_text: Mapped[str | None] = mapped_column(Text)  # verbatim cell
    missing_reason: Mapped[str | None] = mapped_column(String(60))
    target: Mapped[float | None] = mapped_column(Float)
    target_text: Mapped[str | None] = mapped_column(Text)
    rag_reported: Mapped[str | None] = mapped_column(String(20))  # normalised level from the return
    rag_reported_text: Mapped[str | None] = mapped_column(String(40))  # verbatim suffix/cell
    commentary: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)
    source_sheet: Mapped[str | None] = mapped_column(String(120))
    source_cell: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(Text)


class KpiTarget(Base):
    """A KPI's target for one year or month (a strategy's 2017/18, 2018/19, 2019/20 targets).

    A value's own target, as its return reported it, comes first; this is the target for the
    value's period when the return gave none. ``authority_code`` "*" means every authority.
    """

    __tablename__ = "kpi_target"
    __table_args__ = (UniqueConstraint("kpi_id", "authority_code", "start_date", "end_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    authority_code: Mapped[str] = mapped_column(String(3))
    period_kind: Mapped[str] = mapped_column(String(20))  # vocab.PERIOD_KINDS
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(60))  # "2017/18"
    target: Mapped[float | None] = mapped_column(Float)
    target_text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)
    source_sheet: Mapped[str | None] = mapped_column(String(120))
    source_cell: Mapped[str | None] = mapped_column(String(20))


class Benchmark(Base):
    __tablename__ = "benchmark"
    __table_args__ = (UniqueConstraint("kpi_id", "comparator", "period_id", "source"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    comparator: Mapped[str] = mapped_column(String(80))  # England / London / Statistical neighbours / region
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    value: Mapped[float] = mapped_column(Float)
    year_label: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))


# --- Uploads and settings --------------------------------------------------------------


class Upload(Base):
    """One uploaded workbook: who, when, what it did. The original bytes live in upload_file."""

    __tablename__ = "upload"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    uploaded_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))  # imported / rejected / undone
    layout: Mapped[str | None] = mapped_column(String(60))
    summary: Mapped[str | None] = mapped_column(Text)  # JSON: counts, problems
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UploadFile(Base):
    __tablename__ = "upload_file"
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class UploadChange(Base):
    """What one upload changed, row by row, so an undo restores exactly the prior state."""

    __tablename__ = "upload_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(10))  # insert / update
    before: Mapped[str | None] = mapped_column(Text)  # JSON of the row before (updates)


class ColumnMapping(Base):
    """A user's hand mapping of a workbook layout's headers, remembered by layout signature."""

    __tablename__ = "column_mapping"
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    family: Mapped[str] = mapped_column(String(30))
    mapping: Mapped[str] = mapped_column(Text)  # JSON: column index -> field
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Setting(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- Board snapshots -------------------------------------------------------------------


class BoardSnapshot(Base):
    """What a board meeting was shown, frozen: the frames as presented (gzip JSON), never recomputed."""

    __tablename__ = "board_snapshot"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_date: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(200))
    as_at: Mapped[dt.date] = mapped_column(Date)  # the data's as-at date when marked
    authority_code: Mapped[str] = mapped_column(String(3))
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # gzip of JSON: {"frames": {...}, ...}
    payload_sha256: Mapped[str] = mapped_column(String(64))
