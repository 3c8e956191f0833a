"""Prebuild the cached int8 MiniLM model (same as ``python -m copydesk.featurize.embed --build``).

Usage: python scripts/build_onnx_model.py [--rebuild]; honours $COPYDESK_CACHE.
"""

from __future__ import annotations

import sys

from copydesk.featurize.embed import main

if __name__ == "__main__":
    raise SystemExit(main(["--build", *sys.argv[1:]]))
