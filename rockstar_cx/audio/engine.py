"""The real-time engine: conductor, mixer and audio stream, in a process of their own.

The audio callback needs the GIL; a pygame loop, a font render or a garbage collection in the
same process can hold it for milliseconds, longer than a 128-frame block.  So the engine runs
in its own process (:mod:`.supervisor` starts it; :mod:`.process` is its entry point) and talks to the app only
through shared memory (:mod:`.ipc`).

Threading contract, inside the engine process:

* the **audio callback** (PortAudio's thread) runs :meth:`Engine.play`: it reads commands,
  copies out the block the renderer made ready (mixing live hits into it, then silencing it
  if it holds a NaN or an infinity), publishes its events and transport.  No file, log, lock or blocking call; an exception is caught, the block
  silenced and counted.
* the **renderer** (:mod:`.ahead`) renders the next block — commands, conductor, mixer — in the
  gap after each callback, at real-time priority where the OS grants it; there too it fits the
  sample↔host clock and publishes health every :data:`HEALTH_S`.
* when there is no device (or it was lost), a **silent clock** thread calls the same
  :meth:`Engine.play` on a timer, so the show and the visuals go on without sound.
* the **supervisor** (the main thread) watches the stream and obeys the app's control messages.

PortAudio cannot be re-initialised in a process whose audio server died (Debian's build
aborts in ``Pa_Terminate``), so a lost device is recovered by a *new* engine process that
opens the stream and takes over this one's pickled conductor (``handover``/``take``).
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass

import numpy as np

from ..conductor.conductor import Conductor
from ..errors import ShowError
from ..show.model import Show
from ..threads import Worker
from .ahead import Block, Renderer
from .clock import HostClock
from .cue import Routing
from .device import choose_output
from .health import HISTOGRAM_BINS, AudioState, Counters
from .ipc import Applied, SharedState, health_row, transport_record
from .kit import kit_for_show
from .mixer import Mixer
from .probe import probe
from .room import RoomRing, ring_name

WARMUP_S = 0.5  # underflows in a stream's first half second are counted apart
LATE_FACTOR = 1.75  # a callback this many periods after the last came late (the GIL, the scheduler)
STALL_S = 1.0  # no callback for this long while the stream claims to run: the device is gone
SUPERVISE_S = 0.02
CLICK_HEARD = "click in the main mix: the audience hears it (--cue-channels sends it to in-ears)"
HEALTH_S = 0.1  # the health record (with the clock's fit) is renewed this often: a fit costs ~0.3 ms of CPU
MAX_BLOCK = 4096


@dataclass(frozen=True)
class EngineConfig:
    show: Show
    device: str | None = None  # part of the output device's name; None = the system default
    samplerate: int = 48000
    blocksize: int = 128
    latency: str | float = "low"  # PortAudio's "low" / "high", or seconds
    main_channels: tuple[int, ...] = (1, 2)  # device channels (from 1) of the main mix...
    cue_channels: tuple[int, ...] = ()  # ...and of the presenter's cue mix (none: the click is in the main mix)
    hold_bars: int | None = None  # None: held moments wait for the presenter; N: they play N bars
    room_channel: int | None = None  # the device's input channel (from 1) with the room microphone (.room)

    @property
    def routing(self) -> Routing:
        return Routing(self.main_channels, self.cue_channels)


class Engine:
    """Everything the audio callback touches, and the stream around it."""

    def __init__(self, config: EngineConfig, shared: SharedState, conductor: Conductor | None) -> None:
        self.config = config
        self.shared = shared
        self.routing = routing = config.routing
        self.mixer = Mixer(config.show, kit_for_show(config.show, config.samplerate), MAX_BLOCK, cue=bool(routing.cue))
        self.clock = HostClock(config.samplerate)
        self.period = config.blocksize / config.samplerate
        self.state = AudioState.STARTING
        self.device_name = ""
        self.output_latency = 0.0
        self.message = ""
        self.unfit = False  # the device has too few channels for the routing asked: no use retrying
        self.counters = Counters()  # incremented by the callback, the renderer and the supervisor
        self.renderer = Renderer(conductor, self.mixer, config.blocksize, self.period, routing, self.counters,
                                 probe(config.samplerate) if config.room_channel else None)  # conductor None: standing by
        self._silence = bytes(4 * config.blocksize * routing.channels)
        self._histogram = shared.histogram
        self._sample_cell = shared.transport["sample"]  # made once: a field lookup per block costs
        self._stream = None
        self._dead_streams: list = []  # never closed: closing a stream of a dead server can abort
        self._stream_started = 0.0
        self._last_callback = 0.0
        self._first_callback = 0.0  # of the stream running now: callbacks are due from here on
        self._supervised = 0.0
        self._silent = Worker("silent-clock", self._silent_loop)
        self.room = RoomRing.attach(ring_name(shared.name)) if config.room_channel else None
        # the duplex callback's strides, made once: input channels opened (up to the room's) and output channels,
        # and where the room's and the main mix's first channel sit in their frames
        self._inputs, self._outputs = config.room_channel or 0, routing.channels
        self._heard_at, self._played_at = (config.room_channel or 1) - 1, routing.main[0] - 1

    # -- the block ------------------------------------------------------------------------------

    def play(self, host: float, out) -> None:
        """Play the block due at host time ``host``: its float32 samples, interleaved, into the
        buffer ``out`` (the raw stream's own; None: play it silently)."""
        renderer = self.renderer
        renderer.interval, renderer.played_at = host - renderer.played_at, host
        renderer.playing = True  # the renderer keeps off the GIL (and the other CPU) till this block is out
        try:
            self._play(renderer, host, out)
        finally:
            renderer.playing = False

    def _play(self, renderer: Renderer, host: float, out) -> None:
        if renderer.conductor is None:  # standing by for a handover: the commands are the playing engine's
            if out is not None:
                out[:] = self._silence
            return
        live = renderer.accept(self.shared.pop_commands())
        block = renderer.next_block()
        if block is None:  # the renderer is on this very block right now
            renderer.defer(live)
            if out is not None:
                out[:] = self._silence
            return
        heard = True
        try:
            renderer.play_now(live, block)
            renderer.guard(block)  # last: the live hits are in it now
        except Exception:  # a hit that cannot play: this block is silence, and what it did is published
            self.counters.callback_errors += 1
            live, heard = [], False
        if out is not None:
            out[:] = block.out if heard else self._silence  # one memcpy
        self._publish(block, live)
        self.clock.add(block.start, host)

    def _publish(self, block: Block, live: list) -> None:
        # Hits are not published: a reader replays them from the applied commands (as the stage
        # and MIDI do), and a block where every section hits at once stays cheap.
        shared = self.shared
        if block.applied is not None:
            shared.push_rows(block.applied)
        if live:
            shared.push_events([Applied(block.start, hit) for hit in live])
        if block.markers is not None:
            shared.push_rows(block.markers)
        if block.transport is not None:
            SharedState.write_row(shared.transport, block.transport)
        else:
            self._sample_cell[0] = block.start + len(block.audio)  # one aligned store: never torn

    def _callback(self, outdata, frames, time_info, status) -> None:
        host = time.perf_counter()
        counters = self.counters
        if self._stream is None:  # a stream given up for dead that came back: the silent clock plays now
            outdata[:] = self._silence
            return
        try:
            counters.callbacks += 1
            if status.output_underflow:  # the audio system's own word: the device ran dry
                counters.underflows += 1
                if host - self._stream_started > WARMUP_S:
                    counters.underflows_after_warmup += 1
            if not self._last_callback:
                self._first_callback = host
            elif host - self._last_callback > LATE_FACTOR * self.period:
                counters.late_callbacks += 1
            self._last_callback = host
            self.play(host, outdata)
        except Exception:  # the stream must never die of it: silence this block, count it
            outdata[:] = self._silence
            counters.callback_errors += 1
        elapsed = (time.perf_counter() - host) * 1e6
        self._histogram[min(int(elapsed), HISTOGRAM_BINS - 1)] += 1
        if elapsed > counters.callback_max_us:
            counters.callback_max_us = elapsed

    def _duplex_callback(self, indata, outdata, frames, time_info, status) -> None:
        """The callback with the room microphone: the block first; then what the microphone heard
        and what the main mix played into the room ring, at the show position of that block."""
        start = int(self._sample_cell[0])  # the block played now begins here
        self._callback(outdata, frames, time_info, status)
        try:
            self.room.write(start, np.frombuffer(indata, np.float32)[self._heard_at::self._inputs],
                            np.frombuffer(outdata, np.float32)[self._played_at::self._outputs])
        except Exception:  # the room is heard, or not: the show plays on
            self.counters.callback_errors += 1

    def publish_transport(self) -> None:
        SharedState.write_record(self.shared.transport, transport_record(self.renderer.conductor.transport(),
                                                                          self.mixer.click))

    # -- drivers: the stream, or the silent clock -----------------------------------------------

    def open_stream(self) -> bool:
        """Open and start the output stream; False (with :attr:`message` set) when there is no device."""
        try:
            import sounddevice
        except OSError as error:
            self.message = f"no audio: {error}"
            return False
        try:
            index, self.device_name = choose_output(sounddevice, self.config.device)
            device = sounddevice.query_devices(index)
            if not self._fits(device["max_output_channels"], device["max_input_channels"]):
                return False
            self._last_callback = 0.0
            self._stream_started = time.perf_counter()
            # raw: bare buffers to copy into, no arrays to build; duplex with the room microphone
            common = dict(samplerate=self.config.samplerate, blocksize=self.config.blocksize, device=index,
                          dtype="float32", latency=self.config.latency)
            if self.room is None:
                stream = sounddevice.RawOutputStream(channels=self.routing.channels, callback=self._callback, **common)
            else:
                stream = sounddevice.RawStream(channels=(self._inputs, self.routing.channels),
                                               callback=self._duplex_callback, **common)
            self._stream = stream  # before it starts: a callback plays only for the engine's stream
            stream.start()
        except (ShowError, sounddevice.PortAudioError, ValueError) as error:
            self._stream = None
            self.message = f"no audio: {error}"
            return False
        self.output_latency = stream.latency if self.room is None else stream.latency[1]  # duplex: (input, output)
        self.clock.reset()
        self.state, self.message = AudioState.OK, ""
        return True

    def _fits(self, outputs: int, inputs: int) -> bool:
        """Whether the device has every channel the routing and the room input ask (else :attr:`message` says so)."""
        routing, room = self.routing, self.config.room_channel
        if room is not None and inputs < room:
            self.unfit = True
            self.message = (f"the audio device '{self.device_name}' has {inputs} input channels: no "
                            f"--room-input {room} (give one of its inputs, or play without --room-input)")
            return False
        if outputs >= routing.channels:
            return True
        self.unfit = True
        cue = f" --cue-channels {','.join(map(str, routing.cue))}" if routing.cue else ""
        self.message = (f"the audio output '{self.device_name}' has {outputs} output channels, fewer than "
                        f"--main-channels {','.join(map(str, routing.main))}{cue} need ({routing.channels})")
        return False

    def start_silent(self, reason: AudioState) -> None:
        """Keep the show going without sound (``reason``: AudioState.SILENT or AudioState.LOST)."""
        self.state = reason
        self._silent.start()

    def stop_silent(self) -> None:
        self._silent.stop()

    def _silent_loop(self) -> None:
        stopping = self._silent.stopping
        next_host = max(time.perf_counter(), self._last_callback + self.period)
        while not stopping.is_set():
            delay = next_host - time.perf_counter()
            if delay > 0:
                stopping.wait(delay)
            try:
                self.play(next_host, None)
            except Exception:  # the clock must not stop: the show would freeze
                self.counters.callback_errors += 1
            next_host += self.period
            if time.perf_counter() - next_host > STALL_S:  # the machine slept: don't race to catch up
                next_host = time.perf_counter()

    # -- supervision ------------------------------------------------------------------------------

    def supervise(self) -> bool:
        """Check the stream (the renderer publishes the health).  True when the device was just lost."""
        lost = False
        now = time.perf_counter()
        if self.state == AudioState.OK and self._last_callback:  # running time: how many callbacks were due
            # from the first callback: a device takes a while to start, and that is not a miss
            self.counters.stream_seconds += now - max(self._supervised, self._first_callback)
        self._supervised = now
        if self.state == AudioState.OK and self._stream is not None:
            stalled = self._last_callback and time.perf_counter() - self._last_callback > STALL_S
            if not self._stream.active or stalled:
                self._dead_streams.append(self._stream)
                self._stream = None
                self.counters.device_losses += 1
                self.message = f"audio lost ({self.device_name}) — retrying"
                self.start_silent(AudioState.LOST)
                lost = True
        return lost

    def publish_health(self) -> None:
        """The health record: by the renderer, in its gap (it has one writer), or while no renderer runs."""
        if self.renderer.conductor is None:  # standing by: the playing engine reports (one writer)
            return
        SharedState.write_row(self.shared.health, health_row(
            self.counters, state=self.state, samplerate=self.config.samplerate, blocksize=self.config.blocksize,
            output_latency=self.output_latency, renderer_realtime=self.renderer.realtime, device=self.device_name,
            message=self.message or (CLICK_HEARD if self.mixer.click and not self.routing.cue else ""),
            fit=self.clock.fit()))

    def handover_state(self) -> bytes:
        """Stop performing here and pack what the next engine needs to carry on from this sample."""
        self.stop_silent()
        renderer = self.renderer
        renderer.stop()
        while renderer.ready:  # blocks rendered ahead play here, silently: the next engine goes on after them
            self.play(time.perf_counter(), None)
        mixer = self.mixer
        return pickle.dumps((renderer.conductor, renderer.unplayed(), mixer.click, mixer.cue_on, mixer.levels(),
                             self.counters))

    def take_over(self, state: bytes) -> None:
        conductor, pending, click, cue_on, levels, counters = pickle.loads(state)
        counters.recoveries += 1
        self.counters.assign(counters)  # in place: the renderer counts into the same object
        self.mixer.click, self.mixer.cue_on = click, cue_on
        for section, level in levels.items():
            self.mixer.set_level(section, level)
        self.renderer.pending.extend(pending)
        self.renderer.conductor = conductor  # the next block rendered (by the renderer or the callback) goes on

    def shutdown(self) -> None:
        """Stop every driver and the renderer; close the stream if it lives (a lost one is never closed)."""
        self.stop_silent()
        stream, self._stream = self._stream, None  # a callback still under way plays silence
        if stream is not None:
            stream.close()
        self.renderer.stop()
