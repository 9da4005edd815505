"""Blocks rendered before they are due: the audio callback only hands them out.

Rendering a block (commands, conductor, mixer) costs 100-150 µs inside the audio callback on
these machines, three times its price in a warm loop: the callback's thread wakes to cold
caches after sleeping through the period.  So a *renderer* thread keeps :data:`LEAD` blocks
ready, rendering the next one in the idle gap after the callback has played one, and the
callback only copies the oldest out: a renderer late by a whole period costs it nothing.  The
renderer keeps time by itself (it sleeps till a quarter period after the next block is due,
then looks for it to have been played), and never works while a block is being played:
waking it from the callback would cost the callback a system call, and on a virtual machine
an interrupt to the other core.  What that changes:

* A command takes effect at the start of the next block rendered, up to :data:`LEAD` blocks
  later than if the callback rendered its own.  Each is published with the sample it took
  effect at, so the app's replay (:class:`~rockstar_cx.live.view.EngineView`) stays exact.
* A live hit cannot wait: the callback mixes it into the block it plays, from that block's
  first sample, and on into the blocks ready after it (:meth:`~rockstar_cx.audio.mixer.Mixer.play_now`).
  If the renderer holds the mixer just then, the callback adds the sound's start to its block
  itself, and the mixer takes the hit over at the next block played.
* A block's events and transport are published when it plays, not when it is rendered: the
  app never sees the engine ahead of its sound.
* With no block ready (the renderer stalled), the callback renders its own (at the old cost,
  that once).  If the renderer is rendering that very block, the callback hands it the GIL for
  at most :data:`WAIT` of a period (a block takes the renderer 0.1-0.2 ms: seen here when the
  virtual machine had stalled both threads); if the block is still not ready, it plays silence
  and counts a dropped block.

Threading contract: the conductor and the mixer belong to whoever holds the *token*, a one-item
list whose ``pop`` and ``append`` are single operations under the GIL and never wait.  The
renderer takes it to render; the callback (or the silent clock) to render a block itself or to
mix a live hit on into the blocks ready.  Blocks ready pass
from the renderer to the callback through a deque, whose ``append`` and ``popleft`` are single
operations too.  Nothing here takes a lock: the callback waits, if at all, for the GIL, which
a renderer in the middle of a block hands over within the engine's switch interval (0.5 ms);
the callback then finds the token taken and does not wait for it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..conductor.commands import LiveHit, Panic, Quantize, Start
from ..conductor.conductor import Conductor
from ..conductor.events import Hit
from .commands import PlayProbe, SetClick, SetCue, SetGain
from .cue import Routing, pre_entry
from .health import Counters
from .ipc import TRANSPORT, Applied, event_rows, record_row, transport_record
from ..threads import RENDER_PRIORITY, Worker, realtime
from .mixer import Mixer, all_finite
from .probe import add_probe

LEAD = 2  # blocks rendered ahead: the renderer may miss a period and the callback still finds one ready
# Times in block periods.  The renderer sleeps till a quarter period after the next block is
# due: one wake a period, and never beside the callback.  On a virtual machine whose two CPUs
# may share one physical core, a thread that runs while the callback does can take the core
# from it for milliseconds (traced here: the callback stalled exactly as long as the other ran).
# Then it looks every POLL for the block to have been played, and renders the one after at once...
EXPECT = 1.25
POLL = 0.05
IDLE = 4  # ...but when no block was played for this long (no stream runs), it looks once a period.
BURST = 0.2  # blocks played closer together than this: the device is catching up, more may follow at once
MARGIN = 0.3  # render only with this much time left before the next block is due
CHORES_BY = 0.5  # the chores (about 0.3 ms) start no later than this after a block played
WAIT = 0.25  # the longest the callback waits for a renderer in the middle of its block


@dataclass
class Block:
    """A rendered block: its master audio from sample ``start``, and what to publish when it plays."""

    start: int
    audio: np.ndarray  # mono master (the renderer's buffer: reused once the block was played)
    out: np.ndarray  # frames × channels, ready to copy to the device: the master and the cue mix routed
    main: tuple[np.ndarray, ...]  # the views of ``out`` the master is copied into
    # To publish, made ahead as rows of the shared memory (publishing a row costs a copy):
    applied: np.ndarray | None  # the commands that took effect at its start
    markers: np.ndarray | None  # the conductor's events in it, but hits (the app replays those)
    transport: tuple | None  # the transport record after it, when it changed more than the position


class Renderer:
    """Renders blocks ahead of the audio callback, in a thread of its own (see the module's contract).

    ``counters`` is the engine's: ``callback_renders`` counts blocks the callback had to render
    itself, ``dropped_blocks`` blocks it played as silence, ``callback_errors`` blocks silenced
    because rendering them (or a live hit in them) raised, and errors the thread survived,
    ``nonfinite_blocks`` blocks :meth:`guard` silenced.
    """

    def __init__(self, conductor: Conductor | None, mixer: Mixer, blocksize: int, period: float, routing: Routing,
                 counters: Counters, sweep: np.ndarray | None = None) -> None:
        self.conductor = conductor  # None while an engine stands by for a handover
        self.mixer = mixer
        self.blocksize = blocksize
        self.period = period
        self.counters = counters
        self.pending: deque = deque()  # commands for the next block rendered (the callback appends)
        self.played_at = 0.0  # host time of the last block played: the renderer's metronome
        self.playing = False  # a block is being played now: the renderer waits, not to contend for the GIL
        self.interval = 0.0  # between the last two blocks played
        self.realtime = False  # whether the OS granted the thread real-time priority
        self._ready: deque[Block] = deque()  # rendered, oldest first: appended here, taken by the callback
        # a buffer for each block ready and the one playing: a block's buffer is reused only once it was played;
        # with the views of its channels the master and the cue mix go to (the others stay silent)
        self._buffers = [(np.zeros(blocksize, np.float32), out, *routing.views(out))
                         for out in (np.zeros((blocksize, routing.channels), np.float32) for _ in range(LEAD + 1))]
        self._cued = bool(routing.cue)
        self._rendered = 0
        self._token = [True]
        self._deferred: list[LiveHit] = []  # live hits that came with a dropped block: they play in the next
        # live hits begun without the token, (hit, sample heard from): the mixer takes them over at the next block
        self._sounding: list[tuple[LiveHit, int]] = []
        self._scratch = np.zeros((2, blocksize), np.float32)  # the callback's, for those
        self.pause: Callable[[], None] = lambda: time.sleep(0)  # releases the GIL for a moment (a test's hook)
        self._sweep = sweep  # the calibration probe (with a room input), and where it began playing
        self._probe_began: int | None = None
        self._thread = Worker("renderer", self._run)
        # Work of the engine's to do in the gap after a render, every so often (the health report):
        # done there, it never holds the GIL when a callback comes.  Set by start().
        self._chores: Callable[[], None] = lambda: None
        self._chores_every = 0.0
        self._chores_due = 0.0

    @property
    def ready(self) -> int:
        """How many blocks are ready."""
        return len(self._ready)

    # -- for whoever plays the blocks -------------------------------------------------------------

    def take(self) -> bool:
        """Take the token; False when the renderer holds it (it is rendering right now)."""
        try:
            self._token.pop()
        except IndexError:
            return False
        return True

    def give(self) -> None:
        self._token.append(True)

    def accept(self, commands: list) -> list[LiveHit]:
        """Keep ``commands`` for the next block rendered, but the live hits: returned, to play now
        (with any that had to wait for the block before)."""
        if not commands and not self._deferred:  # nearly every block: nothing to sort
            return commands
        live, self._deferred = self._deferred, []
        for command in commands:
            if type(command) is LiveHit:
                live.append(command)
            else:
                self.pending.append(command)
        return live

    def next_block(self) -> Block | None:
        """The block due now: the oldest rendered, else one rendered now (there must be a
        conductor).  When the renderer is in the middle of this very block, the block once it
        has finished, or None (silence) if that takes longer than :data:`WAIT` of a period."""
        if self._ready:
            return self._ready.popleft()
        if not self.take():
            deadline = time.perf_counter() + WAIT * self.period
            while not self._ready and time.perf_counter() < deadline:
                self.pause()  # lets the renderer, waiting for the GIL, finish its block
            if self._ready:
                return self._ready.popleft()
            self.counters.dropped_blocks += 1
            return None
        try:
            self.counters.callback_renders += 1
            return self._render()
        finally:
            self.give()

    def play_now(self, live: list[LiveHit], block: Block) -> None:
        """Sound live hits in ``block`` (playing now) from its first sample.  With the token they
        go on into the blocks ready after it and the mixer carries the rest.  When the renderer
        holds the token (it is mid-block), only ``block`` gets their sound, added here from the
        kit's, and the mixer takes them over at the next block played."""
        if not live and not self._sounding:  # nearly every block
            return
        hits = [*self._sounding, *((hit, block.start) for hit in live)]
        self._sounding = []
        taken = self.take()
        blocks = [block, *self._ready] if taken else [block]
        try:
            if taken:
                audio = [b.audio for b in blocks]
                for hit, sample in hits:
                    self.mixer.play_now(hit.section, hit.accent, sample, audio)
            else:
                for hit, sample in hits:
                    if self.mixer.sound_into(hit.section, hit.accent, block.audio, block.start - sample, self._scratch):
                        self._sounding.append((hit, sample))
        finally:
            for b in blocks:  # what was mixed (all, or up to a hit that raised) is what is heard
                for main in b.main:
                    np.copyto(main, b.audio[:, None])
            if taken:
                self.give()

    def guard(self, block: Block) -> None:
        """The master bus's last check, on the block about to leave for the device (after its live
        hits): one holding a NaN or an infinity is never played but silenced, and counted.  Samples
        are checked when loaded, so this is a bug's last line of defence, not a filter."""
        if not all_finite(block.out):
            block.out.fill(0.0)
            self.counters.nonfinite_blocks += 1

    def defer(self, live: list[LiveHit]) -> None:
        """Live hits that came with a dropped block: they play from the next block's first sample."""
        self._deferred = live

    def unplayed(self) -> list:
        """The commands not played yet, for the next engine (a live hit there plays at its first
        block; the rest of one already sounding is lost)."""
        return [*self._deferred, *self.pending]

    # -- the thread -------------------------------------------------------------------------------

    def start(self, chores: Callable[[], None], every: float) -> None:
        """Start the thread; it also does ``chores`` every ``every`` seconds, in its gap after a render."""
        self._chores, self._chores_every = chores, every
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    def prime(self) -> None:
        """Render the first :data:`LEAD` blocks now, before any stream plays: a stream's first
        callback then finds them ready, and a process's first render (cold code paths, measured
        at ~0.7 ms, a quarter of a 128-frame period) is never the callback's."""
        while self.render_ahead():
            pass

    def _run(self) -> None:
        self.realtime = realtime(RENDER_PRIORITY)
        period, stopping = self.period, self._thread.stopping
        while True:
            try:
                self.step(period)
            except Exception:  # _render catches its own: this is a bug, and the thread must live on
                self.counters.callback_errors += 1
            if stopping.wait(self._sleep(period)):
                return

    def _sleep(self, period: float) -> float:
        """How long the thread sleeps before it looks again."""
        since = time.perf_counter() - self.played_at
        wait = EXPECT * period - since if len(self._ready) == LEAD else 0.0
        if wait > 0.0:
            return wait
        # standing by for a handover there is nothing to render: no need to poll
        return POLL * period if since < IDLE * period and self.conductor is not None else period

    def step(self, period: float) -> None:
        """What the thread does each time it wakes: render till :data:`LEAD` blocks are ready, then
        the chores if due; nothing while a block is being played (the callback would have to hand
        the GIL over).  With no block ready the next callback needs the token: render only with
        room before it."""
        while not self.playing and len(self._ready) < LEAD and (self._ready or self._room(period)) and self.render_ahead():
            pass
        if not self.playing:
            self._do_chores(period)

    def _do_chores(self, period: float) -> None:
        """The chores, when due, right after a render early in the gap (or at any time while no
        block is played): they must be done before the next callback comes.  Overdue by a whole
        interval (a device whose callbacks come in bursts may never leave a gap like that), they
        are done in any gap."""
        now = time.perf_counter()
        if now < self._chores_due:
            return
        since = now - self.played_at
        if ((len(self._ready) == LEAD and since < CHORES_BY * period) or since > IDLE * period
                or now > self._chores_due + self._chores_every):
            self._chores_due = now + self._chores_every
            self._chores()

    def render_ahead(self) -> bool:
        """Render the next block now, unless :data:`LEAD` blocks are ready, there is no conductor or
        the token is taken (what the thread does as blocks are played).  True if it did."""
        if len(self._ready) >= LEAD or self.conductor is None or not self.take():
            return False
        try:
            self._ready.append(self._render())
        finally:
            self.give()
        return True

    def _room(self, period: float) -> bool:
        """Is there time to render before the next block is due?  If not, the callback renders its
        own block: a render it found half done would cost it the whole block.  A device that
        played a block late plays the next one early, on its old grid; one catching up after a
        long delay plays several back to back, and one whose own period is a few blocks plays
        them in bursts: once none came for a while, the burst is over."""
        now = time.perf_counter()
        if self.interval < BURST * period and now - self.played_at < BURST * period:
            return False
        due = self.played_at + min(period, max(0.0, 2.0 * period - self.interval))
        return due - now > MARGIN * period

    def _render(self) -> Block:
        """Render the next block (token held): apply the pending commands at its start, conduct, mix."""
        conductor, mixer, frames, pending = self.conductor, self.mixer, self.blocksize, self.pending
        audio, out, main, cue = self._buffers[self._rendered % len(self._buffers)]
        self._rendered += 1
        start = conductor.position
        applied = None
        try:
            if pending:
                commands = [pending.popleft() for _ in range(len(pending))]  # the callback may append meanwhile
                applied = event_rows([Applied(start, command) for command in commands])
                for command in commands:
                    self._apply(command, start)
            events = conductor.advance(frames)
            entry = pre_entry(conductor, events) if self._cued and events else None
            np.copyto(audio, mixer.process(start, frames, events if entry is None else [*events, entry]))
            if self._probe_began is not None and not add_probe(audio, start, self._probe_began, self._sweep):
                self._probe_began = None
            for view in main:
                np.copyto(view, audio[:, None])
            for view in cue:
                np.copyto(view, mixer.cue[:frames, None])
            markers = [event for event in events if type(event) is not Hit] if events else None
            transport = None  # unless more than the position changed: hits change nothing else
            if applied is not None or markers:
                transport = record_row(TRANSPORT, transport_record(conductor.transport(), mixer.click))
            return Block(start, audio, out, main, applied, event_rows(markers) if markers else None, transport)
        except Exception:  # the stream must never die of it: this block is silence, and counted
            self.counters.callback_errors += 1
            audio.fill(0.0)
            out.fill(0.0)
            return Block(start, audio, out, main, applied, None, None)

    def _apply(self, command, start: int) -> None:
        kind = type(command)
        if kind is SetClick:
            self.mixer.click = command.on
        elif kind is SetCue:
            self.mixer.cue_on = command.on and self._cued
        elif kind is SetGain:
            self.mixer.set_level(command.section, command.gain)
        elif kind is PlayProbe:
            self._probe_began = start if self._sweep is not None else None
        else:
            if kind is Panic:  # the conductor stops at the bar line; the sound fades out by then
                end = self.conductor.next_boundary(Quantize.BAR)
                if end is not None:
                    self.mixer.fade_out(end - start)
            elif kind is Start:
                self.mixer.unfade()
            self.conductor.submit(command)

