"""drop the KPI value index on (kpi, authority): the unique key (kpi, authority, period) begins with
the same columns and serves every lookup it served, and each index is written on every new value

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kpi_value") as batch:
        batch.drop_index("ix_kpi_value_kpi_auth")


def downgrade() -> None:
    with op.batch_alter_table("kpi_value") as batch:
        batch.create_index("ix_kpi_value_kpi_auth", ["kpi_id", "authority_code"], unique=False)
