"""Tables as a past revision made them, for the migrations that make them again."""

import sqlalchemy as sa
from alembic import op


def create_label_table() -> None:
    """``postmortem_labels`` as revision 0002 made it (0003 drops it on PostgreSQL)."""
    op.create_table(
        "postmortem_labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "postmortem_id",
            sa.Integer,
            sa.ForeignKey("postmortems.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("label", sa.String(1100), nullable=False),
    )
    op.create_index("ix_postmortem_labels_postmortem_id", "postmortem_labels", ["postmortem_id"])
    op.create_index("ix_postmortem_labels_label", "postmortem_labels", ["label", "postmortem_id"])
