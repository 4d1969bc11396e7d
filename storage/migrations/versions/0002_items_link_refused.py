"""items.link_refused: why the address policy refused to fetch an item's link (issue 14).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite cannot drop a column in place (downgrade), and it does no harm on PostgreSQL
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("link_refused", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items") as batch:
        batch.drop_column("link_refused")
