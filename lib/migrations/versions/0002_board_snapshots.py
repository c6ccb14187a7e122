"""board snapshots: what each board meeting was shown, frozen

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("as_at", sa.Date(), nullable=False),
        sa.Column("authority_code", sa.String(length=3), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_board_snapshot_meeting_date", "board_snapshot", ["meeting_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_board_snapshot_meeting_date", table_name="board_snapshot")
    op.drop_table("board_snapshot")
