"""milestones per action, targets per KPI and period, and a plan's start date

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("start_date", sa.Date(), nullable=True))
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("action.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_text", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("status_reported", sa.String(length=120), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.Integer(), sa.ForeignKey("upload.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("action_id", "position"),
    )
    op.create_index("ix_milestone_action_id", "milestone", ["action_id"], unique=False)
    op.create_index("ix_milestone_due_date", "milestone", ["due_date"], unique=False)
    op.create_index("ix_milestone_upload_id", "milestone", ["upload_id"], unique=False)
    op.create_table(
        "kpi_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.Integer(), sa.ForeignKey("kpi.id", ondelete="CASCADE"), nullable=False),
        sa.Column("authority_code", sa.String(length=3), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("target_text", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("upload_id", sa.Integer(), sa.ForeignKey("upload.id"), nullable=True),
        sa.Column("source_sheet", sa.String(length=120), nullable=True),
        sa.Column("source_cell", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kpi_id", "authority_code", "start_date", "end_date"),
    )
    op.create_index("ix_kpi_target_kpi_id", "kpi_target", ["kpi_id"], unique=False)
    op.create_index("ix_kpi_target_upload_id", "kpi_target", ["upload_id"], unique=False)


def downgrade() -> None:
    op.drop_table("kpi_target")
    op.drop_table("milestone")
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("start_date")
