"""Afterword's exceptions, one tree.

::

    AfterwordError                 anything Afterword raises on purpose
    ├── InputError                 bad input; carries file, line and field
    │   ├── DocumentError          a postmortem or incident file that cannot be read
    │   │                          (malformed YAML, unknown severity, naive time, bad order)
    │   └── ConfigError            a configuration file or setting that cannot be used
    └── UsageError                 a command used in a way that cannot work
                                   (unknown template, file exists without --force)

The CLI turns every ``AfterwordError`` into one line on standard error and exit
code 2; nothing that subclasses it should ever reach the user as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class AfterwordError(Exception):
    """Base of every error Afterword raises on purpose."""

    def one_line(self) -> str:
        """The error as the single line the CLI prints."""
        return " ".join(str(self).split())


class InputError(AfterwordError):
    """Input that cannot be used, located as precisely as is known."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class DocumentError(InputError):
    """A postmortem or incident document that cannot be read."""


class ConfigError(InputError):
    """A configuration file or setting that cannot be used."""


class UsageError(AfterwordError):
    """A command used in a way that cannot work."""
