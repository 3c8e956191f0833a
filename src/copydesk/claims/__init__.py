"""Claims: is each sentence of a text supported, contradicted or unsupported by other versions?"""

from __future__ import annotations

from .rules import *  # noqa: F403 (the move commit; the split follows)
from .rules import _model_file, _sentence_info  # noqa: F401
