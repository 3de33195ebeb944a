"""The lint rules, one small class each, grouped by the seed's anti-patterns and do's.

Importing this package registers every rule with the engine.
"""

from afterword.lint.rules import actions, analysis, blame, specific, structure

__all__ = ["actions", "analysis", "blame", "specific", "structure"]
