"""copydesk: trace how one news story travels and mutates across outlets."""

from __future__ import annotations

__version__ = "0.1.0"

from .verify import CleanResult, VerifyReport, clean, verify  # noqa: E402

__all__ = ["CleanResult", "VerifyReport", "__version__", "clean", "verify"]
