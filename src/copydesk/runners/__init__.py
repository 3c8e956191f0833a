"""Runners: schedule the pipeline's pure stage functions over a whole corpus.

``batch.run_batch`` is the entry point of ``copydesk batch``. Both engines call the same
functions of :mod:`.stages` (per chunk of articles, per pair, per component) and of
:mod:`.candidates` (per LSH band bucket, per entity posting list, per semantic bucket):

- ``local``: one process, plain Python/numpy;
- ``spark``: PySpark DataFrames: ``applyInPandas`` per chunk and per bucket, joins for
  pair scoring, min-label propagation with joins for connected components, ``cogroup``
  per component. Nothing quadratic and no all-pairs collect on the driver.

Same inputs give the same stories, families, relations and sources on both (a test).
"""

from __future__ import annotations

__all__ = ["BatchSettings"]

from .stages import BatchSettings
