"""The conductor's tempo: set, nudged or tapped by the presenter, reset to the show file's line.

Every tempo is clamped to ``MIN_TEMPO``-``MAX_TEMPO``.  While playing, a change takes effect on
the next beat (a pending tempo change); while stopped, it is kept for the next Start only.  A
mixin of :class:`~rockstar_cx.conductor.conductor.Conductor`: it works on the conductor's own state.
"""

from __future__ import annotations

from . import commands as cmd
from .events import COUNT_IN

MIN_TEMPO, MAX_TEMPO = 20.0, 300.0
TAP_RESET_SECONDS = 2.0  # a pause this long starts a new tap sequence
TAP_INTERVALS = 4  # taps averaged


class TempoControl:
    """The tempo of :class:`~rockstar_cx.conductor.conductor.Conductor` (a mixin)."""

    def _current_tempo(self, sample: int) -> float:
        span = self._span
        if span is None:
            return self._stopped_tempo()
        return span.tempo_at(span.local_beat_at_sample(sample))

    def _stopped_tempo(self) -> float:
        """The tempo Start will play: one set while stopped, else the show file's for the moment."""
        return self._file_tempi[self._moment][0] if self._start_tempo is None else self._start_tempo

    def _change_tempo(self, bpm: float, sample: int) -> None:
        bpm = min(max(bpm, MIN_TEMPO), MAX_TEMPO)
        if self._span is None:
            self._start_tempo = bpm
        else:
            self._pending_tempo = (self._boundary(cmd.Quantize.BEAT, sample), bpm, bpm)

    def _reset(self, sample: int) -> None:
        """Back to the show file: no mutes, solos or taps; the file's tempo line from the next beat on."""
        self._muted.clear()
        self._soloed.clear()
        self._taps.clear()
        self._start_tempo = None
        span = self._span
        if span is None or span.moment == COUNT_IN:  # the count-in's tempo is the one Start chose
            self._pending_tempo = None
            return
        beat = self._boundary(cmd.Quantize.BEAT, sample)
        start, end = self._file_tempi[span.moment]
        total = self._moment_beats(span.moment)
        moment_beat = span.moment_beat + beat - span.start_beat
        if total is None or moment_beat >= total:
            self._pending_tempo = (beat, end, end)
        else:  # on the written ramp, where the moment would be without adjustments
            self._pending_tempo = (beat, start + (end - start) * moment_beat / total, end)

    def _tap(self, sample: int) -> None:
        if self._taps and sample == self._taps[-1]:
            return  # taps that reach one block together (a controller's burst) are one tap: no interval
        if self._taps and sample - self._taps[-1] > TAP_RESET_SECONDS * self.rate:
            self._taps.clear()
        self._taps.append(sample)
        if len(self._taps) >= 3:
            interval = (self._taps[-1] - self._taps[0]) / (len(self._taps) - 1)
            self._change_tempo(60.0 * self.rate / interval, sample)
