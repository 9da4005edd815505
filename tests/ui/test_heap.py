"""The stage gives freed memory back to the system once a minute (rockstar_cx.ui.heap)."""

from __future__ import annotations

from rockstar_cx.ui.heap import HeapTrim, _glibc_trim


def test_the_heap_is_trimmed_once_per_interval_and_never_before():
    calls: list[int] = []
    heap = HeapTrim(100.0, every_s=60.0, trim=calls.append)
    for now in (100.0, 130.0, 159.999):
        heap.tick(now)
    assert calls == []
    heap.tick(160.0)
    heap.tick(200.0)  # within a minute of the last trim
    assert calls == [0]
    heap.tick(220.0)
    assert calls == [0, 0] and heap.trims == 2


def test_this_machine_has_glibc_and_the_app_trims_with_it():
    assert _glibc_trim() is not None  # Debian's glibc: a silent fallback here would hide the fix
