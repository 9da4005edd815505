"""Fuzzing show files (issue 16.7): any bytes load into a Show or fail with a ShowError, in bounded time.

Bounded for CI (a few seconds each); ``scripts/fuzz.py`` runs the same strategies for long.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from .cases import check_show_file
from .strategies import KEYNOTE, show_bytes, show_documents

CASE_S = 2.0  # the most one show file may take: loaded and measured (and performed, if small), or `check`
# ... in CPU seconds: the work is what is bounded, and a busy CI machine (load 7 on 2 cores) stretches wall time.
# tmp_path is shared by a test's examples: each writes its file afresh, which is all they need.
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


def _check(data: bytes, folder: Path) -> None:
    began = time.process_time()
    check_show_file(data, folder)
    assert time.process_time() - began < CASE_S


def test_the_built_in_show_passes(tmp_path):
    assert check_show_file(KEYNOTE, tmp_path) is not None


@settings(max_examples=150, **SETTINGS)
@given(data=show_bytes())
def test_any_bytes_load_or_fail_with_a_show_error(tmp_path, data):
    _check(data, tmp_path)


@settings(max_examples=150, **SETTINGS)
@given(text=show_documents())
def test_any_document_of_the_formats_keys_loads_or_fails_with_a_show_error(tmp_path, text):
    _check(text.encode("utf-8", "surrogatepass"), tmp_path)


@settings(max_examples=4, **SETTINGS)
@given(data=show_bytes())
def test_check_exits_0_or_2_within_2_seconds(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}  # where an exit 1 would log
    began = _children_cpu()
    result = subprocess.run([sys.executable, "-m", "rockstar_cx", "check", str(path)], capture_output=True,
                            timeout=30, env=env)
    assert result.returncode in (0, 2), result.stderr
    assert _children_cpu() - began < CASE_S


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
