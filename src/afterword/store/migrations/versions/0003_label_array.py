"""Each postmortem's labels in an array; on PostgreSQL, indexed there.

Both: ``postmortems.labels`` lists a postmortem's labels (``service:payments``,
``tag:network``, ``severity:SEV1``), filled here from ``postmortem_labels``.

PostgreSQL: a GIN index on ``labels``. A filtered search then intersects the postmortems
that have the words with those that have the label inside the indexes (a BitmapAnd) and
reads only the rows in both; it used to fetch the label's rows one by one and test each
for the words. ``postmortem_labels`` is dropped there: nothing reads it any more.

SQLite keeps ``postmortem_labels``: it cannot index the elements of a list, and finds a
label's postmortems through that table's index.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from afterword.store.migrations.shapes import create_label_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.add_column(
            "postmortems", sa.Column("labels", sa.JSON, nullable=False, server_default="[]")
        )
        op.execute(
            "UPDATE postmortems SET labels = (SELECT json_group_array(label) FROM"
            " (SELECT label FROM postmortem_labels l WHERE l.postmortem_id = postmortems.id"
            " ORDER BY label))"
        )
        return
    op.add_column(
        "postmortems", sa.Column("labels", ARRAY(sa.Text), nullable=False, server_default="{}")
    )
    op.execute(
        "UPDATE postmortems p SET labels = ARRAY(SELECT label FROM postmortem_labels l"
        " WHERE l.postmortem_id = p.id ORDER BY label)"
    )
    op.execute("CREATE INDEX ix_postmortems_labels ON postmortems USING gin (labels)")
    op.drop_table("postmortem_labels")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.drop_column("postmortems", "labels")
        return
    create_label_table()
    op.execute(
        "INSERT INTO postmortem_labels (postmortem_id, label)"
        " SELECT id, unnest(labels) FROM postmortems"
    )
    op.drop_index("ix_postmortems_labels", table_name="postmortems")
    op.drop_column("postmortems", "labels")
