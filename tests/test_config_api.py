"""The public surface a user touches first: ``copydesk.clean``/``verify`` and ``Settings`` errors."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import pytest

from copydesk.config import Limits, Settings


def test_clean_stays_the_function_after_verify_and_every_submodule() -> None:
    # A fresh interpreter: the bug only shows once something imports the clean *stage*.
    code = (
        "import copydesk, pkgutil, importlib\n"
        "r = copydesk.verify('The truce will last 30 days, the minister said on Monday.',"
        " 'The truce will last 45 days, the minister said on Monday.')\n"
        "for m in pkgutil.walk_packages(copydesk.__path__, 'copydesk.'):\n"
        "    if '.web' not in m.name and 'spark' not in m.name:\n"
        "        importlib.import_module(m.name)\n"
        "import copydesk.clean\n"
        "out = copydesk.clean('The article text:\\nHello world. The talks ended on Monday.')\n"
        "print(type(copydesk.clean).__name__, type(out).__name__, r.ok)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["function", "CleanResult", "False"]


def test_the_clean_stage_is_still_importable() -> None:
    from copydesk.clean import clean_article

    assert callable(clean_article)
    assert {m.name for m in pkgutil.iter_modules(importlib.import_module("copydesk").__path__)} >= {"clean"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lsh_bands": 0}, "lsh_bands"),  # used to be a ZeroDivisionError deep inside
        ({"vector_max_neighbours": 0}, "vector_max_neighbours"),
        ({"entity_min_shared": -3}, "entity_min_shared"),
        ({"vector_min_cosine": 1.5}, "vector_min_cosine"),
        ({"vector_min_cosine": float("nan")}, "vector_min_cosine"),
        ({"threads": "2"}, "threads"),
        ({"shingle_size": 2.5}, "shingle_size"),
        ({"max_terms": True}, "max_terms"),
        ({"claims": "no"}, "claims"),
        ({"num_perm": 100}, "num_perm"),
        ({"doc_max_tokens": 4096}, "doc_max_tokens"),
    ],
)
def test_bad_settings_raise_a_value_error_naming_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Settings(**changes)
    with pytest.raises(ValueError, match=field):
        Settings().with_(**changes)


def test_good_settings_and_limits_are_accepted() -> None:
    s = Settings(lsh_bands=16, num_perm=64, threads=2, vector_min_cosine=1, claims=False)
    assert s.lsh_bands == 16 and s.n_threads == 2
    with pytest.raises(ValueError, match="max_file_bytes"):
        Limits(max_file_bytes=0)


def test_settings_has_no_knob_that_nothing_reads() -> None:
    # duplicate_jaccard was validated and never read (the fitted model's value is used).
    assert "duplicate_jaccard" not in Settings.__dataclass_fields__
