"""The store's tables (SQLAlchemy 2): postmortems and what was read out of them.

Each row of ``postmortems`` is one file, found again by its path and skipped on re-index
while its content hash is unchanged. Search runs on SQLite FTS5 (the ``postmortem_search``
virtual table) or on PostgreSQL full-text search (the ``search_vector`` column); both are
made by the migrations, not by ``metadata.create_all``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC on every engine and read back with its zone (UTC).

    SQLite has no zone-aware type: SQLAlchemy writes a datetime's wall clock without its
    offset, so 15:36 CET and 15:36 UTC would be stored alike. Storing UTC makes every
    stored time comparable and gives both engines the same answers.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _in_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _in_utc(value)


def _in_utc(value: datetime | None) -> datetime | None:
    """A moment in UTC; one without a zone (as SQLite gives it back) is taken to be UTC."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class PostmortemRow(Base):
    __tablename__ = "postmortems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(8), index=True)
    status: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_facing: Mapped[bool] = mapped_column(Boolean, default=False)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What a search can be narrowed to: ``service:payments``, ``tag:network``,
    #: ``severity:SEV1``. PostgreSQL finds them through a GIN index on this array; SQLite,
    #: which cannot index a list's elements, through :class:`LabelRow`.
    labels: Mapped[list[str]] = mapped_column(
        JSON().with_variant(ARRAY(Text), "postgresql"), default=list
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    timeline: Mapped[list[TimelineEventRow]] = relationship(
        back_populates="postmortem", cascade="all, delete-orphan", passive_deletes=True
    )
    action_items: Mapped[list[ActionItemRow]] = relationship(
        back_populates="postmortem",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ActionItemRow.position",
    )
    root_causes: Mapped[list[RootCauseRow]] = relationship(
        back_populates="postmortem", cascade="all, delete-orphan", passive_deletes=True
    )


class TimelineEventRow(Base):
    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str | None] = mapped_column(String(16))
    postmortem: Mapped[PostmortemRow] = relationship(back_populates="timeline")


class ActionItemRow(Base):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(255), index=True)
    due: Mapped[date | None] = mapped_column(Date)
    type: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(32))
    ticket: Mapped[str | None] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16), index=True)
    postmortem: Mapped[PostmortemRow] = relationship(back_populates="action_items")


class RootCauseRow(Base):
    __tablename__ = "root_causes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    rank: Mapped[str | None] = mapped_column(String(16))
    postmortem: Mapped[PostmortemRow] = relationship(back_populates="root_causes")


class LabelRow(Base):
    """SQLite only: a postmortem's :attr:`~PostmortemRow.labels`, one row per label. An
    index on (label, postmortem) makes a filter a set of ids found once per search, not a
    JSON check for every match. (PostgreSQL indexes the array itself.)"""

    __tablename__ = "postmortem_labels"
    __table_args__ = (Index("ix_postmortem_labels_label", "label", "postmortem_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postmortem_id: Mapped[int] = mapped_column(
        ForeignKey("postmortems.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(1100))


def label(kind: str, value: str) -> str:
    """A label as stored: ``service:payments``."""
    return f"{kind}:{value}"
