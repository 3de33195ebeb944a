"""``python -m afterword``: the same as the ``afterword`` command."""

from afterword.cli import main

main()
