"""The first schema: postmortems, timeline events, action items, root causes, search.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "postmortems",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("path", sa.String(1024), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("severity", sa.String(8)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("template", sa.String(64)),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("detected_at", sa.DateTime(timezone=True)),
        sa.Column("mitigated_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("meeting_at", sa.DateTime(timezone=True)),
        sa.Column("finalized_at", sa.DateTime(timezone=True)),
        sa.Column("customer_facing", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_postmortems_path", "postmortems", ["path"], unique=True)
    op.create_index("ix_postmortems_severity", "postmortems", ["severity"])
    op.create_index("ix_postmortems_started_at", "postmortems", ["started_at"])
    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "postmortem_id",
            sa.Integer,
            sa.ForeignKey("postmortems.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(255)),
        sa.Column("kind", sa.String(16)),
    )
    op.create_index("ix_timeline_events_postmortem_id", "timeline_events", ["postmortem_id"])
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "postmortem_id",
            sa.Integer,
            sa.ForeignKey("postmortems.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("owner", sa.String(255)),
        sa.Column("due", sa.Date),
        sa.Column("type", sa.String(16)),
        sa.Column("priority", sa.String(32)),
        sa.Column("ticket", sa.String(1024)),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_action_items_postmortem_id", "action_items", ["postmortem_id"])
    op.create_index("ix_action_items_owner", "action_items", ["owner"])
    op.create_index("ix_action_items_status", "action_items", ["status"])
    op.create_table(
        "root_causes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "postmortem_id",
            sa.Integer,
            sa.ForeignKey("postmortems.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("rank", sa.String(16)),
    )
    op.create_index("ix_root_causes_postmortem_id", "root_causes", ["postmortem_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("postmortems", sa.Column("search_vector", sa.dialects.postgresql.TSVECTOR))
        op.create_index(
            "ix_postmortems_search", "postmortems", ["search_vector"], postgresql_using="gin"
        )
    else:
        op.execute(
            "CREATE VIRTUAL TABLE postmortem_search USING fts5("
            "title, summary, body, tokenize = 'porter unicode61')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS postmortem_search")
    for table in ("root_causes", "action_items", "timeline_events", "postmortems"):
        op.drop_table(table)
