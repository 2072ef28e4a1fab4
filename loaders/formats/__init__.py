"""One module per source format; ``FORMATS`` lists them in the order a folder is loaded."""

from __future__ import annotations

from importlib import import_module

from loaders.base import SourceFormat

#: Registries first (they create the organisations and people), then the changes to them
#: and their beneficial owners, then files that link to them.
ORDER = (
    "enterprise",
    "social_org",
    "registry_change",
    "beneficial_owner",
    "shareholder",
    "personnel",
    "civil_servant",
    "judicial",
    "licence",
    "penalty",
    "court",
    "lists",
    "commitment",
)


def formats() -> dict[str, SourceFormat]:
    """Every source format by its ``--format`` name, in load order."""
    found: dict[str, SourceFormat] = {}
    for name in ORDER:
        module = import_module(f"loaders.formats.{name}")
        found[name] = module.FORMAT
    return found
