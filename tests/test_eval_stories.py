"""`copydesk eval stories` on a fixed sample of ECB+ dev, against its floors in eval_floors.json.

The sample (``limit``) is the first whole topics of the file (it includes topic 10, two Mark Teixeira
contract stories, a hard negative); the floors sit a little below the figures measured when they were
set. Skipped, with a message, when the data folder is absent (set ``COPYDESK_DATA``).
"""

from __future__ import annotations


def test_eval_stories_floor(run_eval, check_floors, eval_floors) -> None:
    got = run_eval("stories")
    assert got["n"] == eval_floors["stories"]["limit"]
    assert got["items_per_s"] > 0
    assert 0.0 <= got["b3_precision"] <= 1.0 and 0.0 <= got["b3_recall"] <= 1.0
    check_floors("stories", got)
