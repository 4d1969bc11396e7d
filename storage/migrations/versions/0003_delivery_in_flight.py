"""A channel's row says who holds its claim and which stories are in flight to it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 (issue 15: deliveries whose outcome is unknown are resent, not lost)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_failures") as table:
        table.add_column(sa.Column("holder", sa.String(), nullable=True))
        table.add_column(sa.Column("in_flight", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery_failures") as table:
        table.drop_column("in_flight")
        table.drop_column("holder")
