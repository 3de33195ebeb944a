"""Labels to filter searches by; PostgreSQL computes each search vector itself; SQLite
times are stored in UTC.

Both: ``postmortem_labels`` holds one row per service, tag and severity of a postmortem
(``service:payments``), filled here from the postmortems already stored; the second unique
index on ``postmortems.path`` (0001 made an index beside the unique constraint) is dropped.

PostgreSQL: revision 0001 filled ``search_vector`` with an UPDATE after each insert, a
second version of every row. A stored generated column is computed in the insert (and here,
for the rows already there).

SQLite: revision 0001 stored a time's wall clock without its offset (15:36 CET as 15:36).
Times are now stored in UTC; the content hashes are cleared so that the next
``afterword index`` rewrites every row with its times in UTC. Nothing else changes.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from afterword.store.migrations.shapes import create_label_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A')"
    " || setweight(to_tsvector('english', coalesce(summary, '')), 'B')"
    " || setweight(to_tsvector('english', coalesce(body, '')), 'C')"
)


def upgrade() -> None:
    create_label_table()
    op.drop_index("ix_postmortems_path", table_name="postmortems")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for kind in ("service", "tag"):  # each element of the JSON list in column <kind>s
        column = f"p.{kind}s"
        values = (
            f"jsonb_array_elements_text({column}::jsonb) j"
            if postgresql
            else f"json_each({column}) j"
        )
        value = "j" if postgresql else "j.value"
        op.execute(
            "INSERT INTO postmortem_labels (postmortem_id, label)"
            f" SELECT DISTINCT p.id, '{kind}:' || {value} FROM postmortems p, {values}"
        )
    op.execute(
        "INSERT INTO postmortem_labels (postmortem_id, label)"
        " SELECT id, 'severity:' || severity FROM postmortems WHERE severity IS NOT NULL"
    )
    if not postgresql:
        op.execute("UPDATE postmortems SET content_hash = ''")
        return
    op.execute("DROP INDEX IF EXISTS ix_postmortems_search")
    op.execute("ALTER TABLE postmortems DROP COLUMN search_vector")
    op.execute(
        f"ALTER TABLE postmortems ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR})"
        " STORED"
    )
    op.execute("CREATE INDEX ix_postmortems_search ON postmortems USING gin (search_vector)")


def downgrade() -> None:
    op.drop_table("postmortem_labels")
    op.create_index("ix_postmortems_path", "postmortems", ["path"], unique=True)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_postmortems_search")
    op.execute("ALTER TABLE postmortems DROP COLUMN search_vector")
    op.execute("ALTER TABLE postmortems ADD COLUMN search_vector tsvector")
    op.execute(f"UPDATE postmortems SET search_vector = {VECTOR}")
    op.execute("CREATE INDEX ix_postmortems_search ON postmortems USING gin (search_vector)")
