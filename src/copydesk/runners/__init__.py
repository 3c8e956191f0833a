"""Runners: every scheduler of the stages, and nothing else.

- ``incremental``: ``Pipeline``, the store-backed runner of ``copydesk analyze`` and the web
  service: ingest (analysis in forked workers), then placement of the unplaced articles only;
- ``workers``: forked worker processes for one machine's cores (per-article analysis, the first
  scoring tier, component placement), the store written by the calling process only;
- ``batch``: ``run_batch``, the entry point of ``copydesk batch``, over one of two engines that
  call the same functions of :mod:`.stages` (per chunk of articles, per pair, per component)
  and of :mod:`copydesk.candidates` (per LSH band bucket, per entity posting list, per
  semantic bucket):

  - ``local``: one machine: per-article analysis in one forked worker process per core,
    sentences encoded by the driver's encoder threads, the rest in the driver, with dicts
    where Spark has shuffles;
  - ``spark``: PySpark DataFrames: ``applyInPandas`` per chunk and per bucket, joins for
    pair scoring, min-label propagation with joins for connected components, ``cogroup``
    per component. Nothing quadratic and no all-pairs collect on the driver.

Same inputs give the same stories, families, relations and sources on both engines (a test).
"""

from __future__ import annotations

__all__ = ["BatchSettings"]

from .stages import BatchSettings
