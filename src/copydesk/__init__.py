"""copydesk: trace how one news story travels and mutates across outlets.

The public API is :func:`verify` (the pre-publication gate) and :func:`clean` (strip rewriting
artifacts), with their result records. ``copydesk.clean`` is that function, always: the clean
*stage* is the submodule ``copydesk.clean`` too, and Python's import system would otherwise
overwrite the package attribute with the submodule the first time anything imports it (as
``verify()`` does). The package's module class keeps the public function in place;
``from copydesk.clean import clean_article`` still reaches the stage.
"""

from __future__ import annotations

import sys
import types

__version__ = "0.1.0"

from .verify import CleanResult, VerifyReport, clean, verify  # noqa: E402

__all__ = ["CleanResult", "VerifyReport", "__version__", "clean", "verify"]

_PUBLIC_FUNCTIONS = {"clean": clean, "verify": verify}


class _Package(types.ModuleType):
    """The ``copydesk`` module: public functions are never replaced by same-named submodules."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _PUBLIC_FUNCTIONS and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable through sys.modules / ``from copydesk.X import``
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
