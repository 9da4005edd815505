"""Controller input: pads, keys, buttons and faders become presenter actions; LEDs answer.

Threading contract:

* the MIDI driver queues incoming messages in C (:class:`~.ports.InPort` has no Python
  callback), dropping SysEx and clock there;
* the hub's **reader thread** drains every input each :data:`POLL_S`.  Per message it only
  rate-limits (a token bucket: :data:`RATE_LIMIT` messages/s, excess dropped and counted),
  parses (garbage is counted and ignored) and looks the control up.  The two targets that are
  all about timing — tap tempo and live hits — go to the presenter straight from here, behind a
  retrigger guard per control (the presenter only sends for those, and its ``send`` is
  thread-safe); everything else is enqueued, bounded, for the app's thread, which takes it with
  :meth:`ControlHub.poll` and hands it to the same :class:`~rockstar_cx.live.presenter.Presenter`
  as the keys (:meth:`~.session.MidiSession.pump`), with its rules;
* the same thread repaints the LEDs every :data:`LED_S` from the view's transport (a snapshot
  replaced whole: any thread may read it);
* the app's thread switches MIDI learn on and off and selects targets (:meth:`learn`,
  :meth:`select`): plain attribute stores the reader picks up on its next message.

While learn is on, controls do nothing but get bound: select a target, move a control — it is
bound, saved to ``midi.toml`` and reported by :meth:`poll` — select the next target, and so on
until learn is switched off.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import mido

from ..live.intent import CONTINUOUS, Action, Target
from ..live.presenter import Presenter
from ..threads import Worker
from .feedback import Feedback
from .mapping import CC, NOTE, Control, Mapping, MidiSettings, save
from .ports import InPort, OutPort
from .profiles import Profile

POLL_S = 0.001
LED_S = 0.040
RATE_LIMIT = 1000.0  # messages per second accepted, over all inputs
BURST = 200  # messages accepted at once after a quiet spell (a fader swept fast)
QUEUE = 256  # actions waiting for the app's thread (more are dropped and counted)
#: Retrigger guards: a pad bouncing, or a flood, cannot play a section (or tap) faster than a
#: hand can — and so cannot pile voices on the audio engine.
HIT_GAP_S = 0.020
TAP_GAP_S = 0.100
_DIRECT = (Action.TAP, Action.HIT)  # acted on from the reader thread, at once


class Intent(NamedTuple):
    """A control was used: what it does, and its value (velocity / CC value)."""

    target: Target
    value: int


class Learned(NamedTuple):
    device: str
    control: Control
    target: Target


@dataclass
class Device:
    """One controller: its input, the output its LEDs listen on, profile and effective mapping."""

    inport: InPort
    outport: OutPort | None
    profile: Profile
    mapping: Mapping
    feedback: Feedback | None = None


@dataclass
class Counters:
    """received = limited + invalid + ignored + accepted; accepted ones may still be unbound or guarded."""

    received: int = 0
    limited: int = 0  # over the rate limit: dropped unread
    invalid: int = 0  # not MIDI
    ignored: int = 0  # MIDI, but neither a note nor a controller
    accepted: int = 0
    unbound: int = 0  # no control we know
    guarded: int = 0  # a live hit or tap faster than a hand, or the app's queue was full
    unsaved: int = 0  # bindings learned but not saved to midi.toml (they work until the show ends)


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.perf_counter)

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def control_of(message: mido.Message) -> tuple[Control, int] | None:
    """(control, value) of a note or controller message; value 0 is a release."""
    if message.type == "note_on":
        return Control(NOTE, message.channel, message.note), message.velocity
    if message.type == "note_off":
        return Control(NOTE, message.channel, message.note), 0
    if message.type == "control_change":
        return Control(CC, message.channel, message.control), message.value
    return None


class ControlHub(Worker):
    def __init__(self, devices: Sequence[Device], presenter: Presenter, *, settings: MidiSettings,
                 settings_path: Path | None = None, rate_limit: float = RATE_LIMIT) -> None:
        self.devices = list(devices)
        self.presenter = presenter
        self.view = presenter.view  # the LEDs' transport and click state
        for device in self.devices:
            device.feedback = Feedback(device.profile, device.mapping, presenter.show, presenter.rate)
        self.settings = settings
        self.settings_path = settings_path
        self.counters = Counters()
        self.learning = False
        self.selected: Target | None = None
        self.learned: deque[Learned] = deque(maxlen=QUEUE)
        self._bucket = _Bucket(rate_limit, BURST, BURST)
        self._intents: deque[Intent] = deque()
        self._last: dict[Target, float] = {}  # when a guarded target last fired
        self._repaint: set[int] = set(range(len(self.devices)))  # device indices to repaint in full
        super().__init__("midi-controllers")

    # -- the app's side ----------------------------------------------------------------------------

    def poll(self) -> list[Intent]:
        """The actions since the last call, oldest first (call from the app's thread)."""
        out = []
        while self._intents:
            out.append(self._intents.popleft())
        return out

    def learn(self, on: bool) -> None:
        self.selected = None
        self.learning = on

    def select(self, target: Target | None) -> None:
        """While learning: the next control moved does ``target``."""
        self.selected = target

    def repaint(self, port: object) -> None:
        """Repaint every LED of the device on ``port`` (it was just plugged in again); any thread."""
        self._repaint |= {i for i, d in enumerate(self.devices) if port in (d.inport, d.outport)}

    # -- the reader thread -------------------------------------------------------------------------

    def _run(self) -> None:
        next_led = 0.0
        while not self.stopping.wait(POLL_S):
            for device in self.devices:
                self._drain(device)
            now = time.perf_counter()
            if now >= next_led:
                next_led = now + LED_S
                self._lights()

    def _drain(self, device: Device) -> None:
        counters = self.counters
        while (item := device.inport.receive()) is not None:
            counters.received += 1
            if not self._bucket.take(time.perf_counter()):
                counters.limited += 1
                continue
            try:
                found = control_of(mido.Message.from_bytes(item[0]))
            except (ValueError, TypeError, IndexError):
                counters.invalid += 1
                continue
            if found is None:
                counters.ignored += 1
                continue
            counters.accepted += 1
            self._use(device, *found)

    def _use(self, device: Device, control: Control, value: int) -> None:
        if self.learning:
            if self.selected is not None and value > 0:
                self._bind(device, control, self.selected)
            return
        target = device.mapping.target(control)
        if target is None:
            self.counters.unbound += 1
            return
        if target.action not in CONTINUOUS and value < (64 if control.kind == CC else 1):
            return  # a release
        if target.action in _DIRECT:
            now = time.perf_counter()
            if now - self._last.get(target, -1.0) < (TAP_GAP_S if target.action is Action.TAP else HIT_GAP_S):
                self.counters.guarded += 1
                return
            self._last[target] = now
            self.presenter.act(target, value)  # all about timing: it only sends, from this thread
            return
        if len(self._intents) >= QUEUE:
            self.counters.guarded += 1
            return
        self._intents.append(Intent(target, value))

    def _bind(self, device: Device, control: Control, target: Target) -> None:
        name = device.profile.name
        device.mapping.bind(control, target)
        self.settings.learned.setdefault(name, Mapping({})).bind(control, target)
        try:
            save(self.settings, self.settings_path)
        except OSError:  # a full disk or a read-only folder: the binding still works for this show
            self.counters.unsaved += 1
        device.feedback = Feedback(device.profile, device.mapping, device.feedback.show, device.feedback.rate)
        self._repaint.add(self.devices.index(device))
        self.learned.append(Learned(name, control, target))
        self.selected = None  # the next control waits for the next selection

    def _lights(self) -> None:
        transport, click = self.view.transport(), self.view.click
        for index, device in enumerate(self.devices):
            if device.outport is None or not device.feedback.lights:
                continue
            if index in self._repaint:
                self._repaint.discard(index)
                messages = device.feedback.repaint(transport, click)
            else:
                messages = device.feedback.changes(transport, click)
            for message in messages:
                device.outport.send(message)
