"""Everything MIDI for one performance, from the command line's options: one start, one close.

    session = MidiSession(MidiOptions(inputs=("launchpad",), outputs=("virtual",)), engine, presenter).start()
    ...                       # the app's thread, once a frame (or every 10 ms headless):
    session.pump()            # controller actions → the presenter (the same one as the keys')
    session.status()          # everything: ports connected, counters, clock-in state
    session.summary()         # what the presenter console shows (cheap: call it every frame)
    session.learn(True); session.select(Target(Action.GO))   # MIDI learn, from the console
    session.close()

A session is a :class:`~rockstar_cx.live.surface.MidiSurface`: what the front-ends know of MIDI.

* ``outputs`` (``--midi-out``, repeatable; ``virtual`` = our own port): clock and notes, from the
  MIDI-out process (:mod:`.outproc`); per-port clock/notes switches from ``midi.toml``.
* ``inputs`` (``--midi-in``, repeatable): controllers.  Each gets the profile its name suggests
  (the name given, else the port's), learned bindings from ``midi.toml`` on top (but those to a
  section or moment the show lacks: skipped, a :attr:`warning` line each), and an output of the
  same name for its LEDs.
* ``clock_in`` (``--clock-in``): follow that port's MIDI clock (:mod:`.follow`).
* hot-plug (:mod:`.hotplug`) watches this process's ports; the MIDI-out process watches its own.
* the MIDI-out process itself is watched by :meth:`~MidiSession.pump`: dead, or hung (a status
  request unanswered for :data:`~.outproc.STALL_S`), it is killed and a fresh one started from the
  app view's replay (:meth:`~rockstar_cx.live.view.EngineView.resume_point`), with the audio
  engine's backoff (:class:`~rockstar_cx.audio.revival.Backoff`: 0.5, 1, 2 … s; given up after
  3 failures within 30 s).  :attr:`~MidiSession.out_state` says so ("MIDI out stopped —
  restarting"); the report counts ``midi_out_failures`` and ``midi_out_recoveries``.

Start it before the first command (see :mod:`.outproc`).  Controllers need the
:class:`~rockstar_cx.live.presenter.Presenter` they act through (and whose view lights their LEDs).
Threading contract: :meth:`pump`, :meth:`status`, :meth:`close` from the app's thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..audio.ipc import SharedState
from ..audio.revival import Backoff
from ..audio.supervisor import AudioEngine
from ..live.intent import Action, Target
from ..live.presenter import Presenter
from ..live.surface import MidiSummary
from ..live.view import EngineView
from ..show.model import Show
from .controller import ControlHub, Device
from .follow import ClockFollower
from .hotplug import HotPlug
from .mapping import Control, Mapping, load, settings_path
from .outproc import MidiOut, MidiOutConfig
from .ports import VIRTUAL, InPort, OutPort, Probe, PortError, graph_changed, resolve_api
from .profiles import GENERIC, PROFILES, profile_for

MAX_SKIPPED_LINES = 5


@dataclass(frozen=True, kw_only=True)
class MidiOptions:
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    api: str = "auto"
    clock_in: str | None = None
    offset_ms: float = 0.0
    clock: bool = True
    notes: bool = True
    run_while_stopped: bool = False

    @property
    def used(self) -> bool:
        return bool(self.inputs or self.outputs or self.clock_in)


class MidiSession:
    def __init__(self, options: MidiOptions, engine: AudioEngine, presenter: Presenter | None = None, *,
                 settings_path: Path | None = None) -> None:
        self.options = options
        self.engine = engine
        self.presenter = presenter  # controllers act through it (None: no controllers)
        self.settings_path = settings_path
        self.warning = ""
        self.out: MidiOut | None = None
        self.hub: ControlHub | None = None
        self.follower: ClockFollower | None = None
        self.hotplug: HotPlug | None = None
        self._ports: list = []
        self._shared: SharedState | None = None
        self._final: dict | None = None  # close()'s status, once closed
        # the MIDI-out process's watch (pump): failures noticed, fresh processes that took over
        self.out_failures = 0
        self.out_recoveries = 0
        self.out_state = ""  # in words while it is down or restarting ("" when it runs)
        self._out_down = False  # the last process failed: a fresh one is due when the backoff allows
        self._out_backoff = Backoff()
        self._view: EngineView | None = None  # what a fresh process starts from (the presenter's, else our own)
        self._own_view = False

    def start(self) -> MidiSession:
        options, engine = self.options, self.engine
        show, rate = engine.config.show, engine.config.samplerate
        if options.inputs and self.presenter is None:
            raise ValueError("controllers (--midi-in) act through a presenter: give the session one")
        resolve_api(options.api)  # a bad --midi-api fails here, before anything opens
        settings, self.warning = load(self.settings_path)
        if options.outputs:
            self.out = MidiOut(MidiOutConfig(outputs=options.outputs, api=options.api, offset_ms=options.offset_ms,
                                             clock=options.clock, notes=options.notes,
                                             run_while_stopped=options.run_while_stopped,
                                             port_options=settings.outputs), engine).start()
            if self.presenter is not None:
                self._view = self.presenter.view  # updated by the presenter's tick, on this thread
            else:
                self._view, self._own_view = EngineView.of(engine), True
        devices = []
        skipped: set[tuple[str, Control, Target]] = set()  # learned rows naming what this show lacks
        for spec in options.inputs:
            inport = InPort(spec, options.api)
            outport = None if spec == VIRTUAL else OutPort(spec, options.api)
            for port in (inport, outport):
                if port is not None:
                    port.connect()
                    self._ports.append(port)
            profile = _profile(spec, inport.name)
            learned, beyond = settings.learned.get(profile.name, Mapping({})).fitted(len(show.sections),
                                                                                   len(show.moments))
            skipped.update((profile.name, control, target) for control, target in beyond)
            mapping = profile.mapping.merged(learned)
            devices.append(Device(inport, outport if profile.render else None, profile, mapping))
        self.warning = "\n".join(filter(None, [self.warning, *self._skipped(skipped, show)]))
        if devices:
            self.hub = ControlHub(devices, self.presenter, settings=settings, settings_path=self.settings_path).start()
        if options.clock_in:
            inport = InPort(options.clock_in, options.api, timing=True)
            inport.connect()
            self._ports.append(inport)
            self._shared = SharedState.attach(engine.shared.name)
            self.follower = ClockFollower(inport, show, rate, self._shared, engine.send).start()
        if self._ports:
            self.hotplug = HotPlug(self._ports, options.api,
                                   on_connect=self.hub.repaint if self.hub is not None else None).start()
        return self

    def _skipped(self, rows: set[tuple[str, Control, Target]], show: Show) -> list[str]:
        """A warning line per skipped ``midi.toml`` row (a few at most: the file may hold many)."""
        path = self.settings_path or settings_path()
        lines = []
        for device, control, target in sorted(rows, key=lambda row: row[:2])[:MAX_SKIPPED_LINES]:
            has = f"{len(show.moments)} moments" if target.action is Action.LAUNCH else f"{len(show.sections)} sections"
            lines.append(f"{path}: skipped {device}'s {control} → {target}: this show has {has}")
        if len(rows) > MAX_SKIPPED_LINES:
            lines.append(f"{path}: skipped {len(rows) - MAX_SKIPPED_LINES} more bindings beyond this show")
        return lines

    def pump(self) -> None:
        """Carry out the controllers' actions since the last call, through the presenter; notice a
        dead or hung MIDI-out process and restart it (never waits on it)."""
        if self.hub is not None:
            for intent in self.hub.poll():
                self.presenter.act(intent.target, intent.value)
        if self.out is not None:
            self._watch_out(time.monotonic())

    def _watch_out(self, now: float) -> None:
        if self._own_view:
            self._view.update()
        out, backoff = self.out, self._out_backoff
        if not self._out_down:
            out.latest()  # keeps a status request on its way (at most one a second): a hung process is one that never answers
            reason = out.failure(now)
            if reason is None:
                if out.ready and self.out_state:
                    self.out_recoveries += 1
                    self.out_state = ""
                return
            out.kill()
            self.out_failures += 1
            backoff.failed(reason, now)
            self._out_down = True
            self.out_state = f"MIDI out stopped ({reason}) — restarting"
        if backoff.exhausted(now):
            self.out_state = f"MIDI out keeps failing ({backoff.reason}) — given up"
            return
        if backoff.ready(now):
            self.out = MidiOut(out.config, self.engine).launch(self._view.resume_point())
            self._out_down = False

    def status(self) -> dict:
        out = self.out.status() if self.out is not None else {}
        return {
            "inputs": self.hotplug.connected() if self.hotplug is not None else (),
            "outputs": out.get("outputs", ()),
            "out": out,
            "controllers": self.hub.counters.__dict__.copy() if self.hub is not None else {},
            "learning": self.hub is not None and self.hub.learning,
            "clock_in": self.follower.status() if self.follower is not None else None,
            "warning": self.warning,
            "out_state": self.out_state,
            "midi_out_failures": self.out_failures,
            "midi_out_recoveries": self.out_recoveries,
        }

    def summary(self) -> MidiSummary:
        outputs = tuple((asked, port is not None and not self.out_state) for asked, port in
                        (self.out.latest().get("outputs", ()) if self.out is not None else ()))
        inputs: dict[str, bool] = {}  # a controller's input and its LED output: connected when both are
        for asked, port in self.hotplug.connected() if self.hotplug is not None else ():
            inputs[asked] = inputs.get(asked, True) and port is not None
        clock_in, following = None, False
        if self.follower is not None:
            state = self.follower.status()
            following = state.following
            clock_in = (f"following external clock · {state.tempo:.1f} bpm" if following and state.tempo else
                        "following external clock" if following else "no external clock: internal tempo")
        hub = self.hub
        last = hub.learned[-1] if hub is not None and hub.learned else None
        return MidiSummary(inputs=tuple(inputs.items()), outputs=outputs, clock_in=clock_in, following=following,
                           can_learn=hub is not None, learning=hub is not None and hub.learning,
                           selected=hub.selected if hub is not None else None,
                           learned=None if last is None else f"{last.control} → {last.target}",
                           out_state=self.out_state)

    def learn(self, on: bool) -> bool:
        """MIDI learn on or off; False when there is no controller to learn from."""
        if self.hub is None:
            return False
        self.hub.learn(on)
        return True

    def select(self, target: Target | None) -> None:
        """While learning: the next control moved will do ``target``."""
        if self.hub is not None:
            self.hub.select(target)

    def close(self) -> dict:
        """Close everything (whatever :meth:`start` got to open); again: the same final status."""
        if self._final is not None:
            return self._final
        status = self.status()
        for part in (self.hotplug, self.follower, self.hub):
            if part is not None:
                part.stop()
        if self.out is not None:
            status["out"] = self.out.close()
        if self._own_view:
            self._view.close()
        graph_changed()  # the MIDI-out process (or the audio engine) may just have left the graph
        for port in self._ports:
            port.close()
        if self._shared is not None:
            self._shared.close()
        self._final = status
        return status


def _profile(spec: str, name: str | None):
    """The profile the user's name suggests, else the connected port's name, else generic."""
    chosen = profile_for(spec)
    return chosen if chosen is not GENERIC or name is None else profile_for(name)


def describe_ports(api: str = "auto") -> list[str]:
    """Lines for ``rockstar-cx devices``: the MIDI system, then ports with the profile each would get."""
    try:
        probe = Probe(api)
    except PortError as error:
        return [f"MIDI: {error}"]
    try:
        inputs, outputs = probe.names()
    finally:
        probe.close()
    lines = [f"MIDI ({resolve_api(api)}) inputs:"]
    lines += [f"  {n}" + ("" if profile_for(n) is GENERIC else f"  [{profile_for(n).name}]") for n in inputs]
    lines += ["  (none)"] * (not inputs) + [f"MIDI ({resolve_api(api)}) outputs:"]
    lines += [f"  {n}" for n in outputs] or ["  (none)"]
    lines.append("Controller profiles: " + ", ".join(p.name for p in PROFILES))
    return lines
