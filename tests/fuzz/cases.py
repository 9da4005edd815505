"""What one fuzz case must survive, shared by the tests here and ``scripts/fuzz.py``.

* :func:`check_show_file`: a show file loads into a Show or raises ShowError (nothing else), and
  measuring an accepted show finishes; small ones are also performed, and must equal the measure.
* :class:`Rig`: a silent engine playing a 4-section show, with a presenter and a MIDI session on
  the in-memory bus — a generic pad (GM drum pads 1-8), a Launchpad (mute, solo, teach, launch
  beyond the show too) and a MIDI clock input — that random input is fed through.
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.audio.supervisor import AudioEngine
from rockstar_cx.conductor.commands import Start
from rockstar_cx.conductor.length import measure
from rockstar_cx.conductor.perform import perform
from rockstar_cx.errors import ShowError
from rockstar_cx.live.intent import Target
from rockstar_cx.live.presenter import Presenter
from rockstar_cx.live.view import EngineView
from rockstar_cx.midi.memory import MemoryBus
from rockstar_cx.midi.session import MidiOptions, MidiSession
from rockstar_cx.show import Show, load_show, parse_show

#: Accepted shows with at most this many events are also performed (perform lists every event).
PERFORM_EVENTS = 20_000
FOUR_SECTIONS = """\
[show]
title = "Fuzz"
tempo = 180
count_in = 0
[[sections]]
id = "a"
sound = "click"
pattern = "x.x. xxx."
[[sections]]
id = "b"
sound = "clap"
pattern = "..x."
[[sections]]
id = "c"
sound = "stomp"
pattern = "X..."
[[sections]]
id = "d"
sound = "snap"
pattern = "...x"
[[moments]]
id = "one"
title = "One"
sections = ["a", "b"]
bars = 2
[[moments]]
id = "all"
title = "All"
sections = ["a", "b", "c", "d"]
bars = 2
[[moments]]
id = "drift"
title = "Drift"
sections = ["a", "c"]
bars = 2
mode = "chaos"
"""
PAD, LAUNCHPAD, CLOCK = "Fuzz Pad:Pad Out", "Launchpad X:LPX MIDI Out", "Fuzz Clock:Clock Out"


def check_show_file(data: bytes, folder: Path) -> Show | None:
    """The show in ``data`` (written to ``folder``), or None if it was refused with a ShowError."""
    path = folder / "fuzz.toml"
    path.write_bytes(data)
    try:
        show = load_show(path)
    except ShowError:
        return None
    length = measure(show)
    measure(show, count_in=True)
    if length.events <= PERFORM_EVENTS:
        events = perform(show, 8000)
        assert (len(events), events[-1].time) == (length.events, length.seconds), "perform differs from measure"
    return show


def four_sections() -> Show:
    return parse_show(FOUR_SECTIONS, "fuzz", Path("."))


class Rig:
    """A silent engine playing :data:`FOUR_SECTIONS`, driven by every surface at once.

    Make it where no audio device can be found (tests: the ``silent_engine`` fixture's patch;
    elsewhere :func:`without_audio_devices`); ``bus`` is this process's memory MIDI bus."""

    def __init__(self, bus: MemoryBus, settings_path: Path) -> None:
        self.devices = {name: bus.device_output(name) for name in (PAD, LAUNCHPAD, CLOCK)}
        self.leds = bus.device_input("Launchpad X:LPX MIDI In")
        self.engine = AudioEngine(EngineConfig(four_sections(), device="no audio device here"), in_process=True).start()
        assert self.engine.start_state == "silent", self.engine.start_state
        self.presenter = Presenter(EngineView.of(self.engine), self.engine.send)
        options = MidiOptions(inputs=("fuzz pad", "launchpad"), clock_in="fuzz clock", api="memory")
        self.session = MidiSession(options, self.engine, self.presenter, settings_path=settings_path).start()
        self.engine.send(Start(count_in=False))

    def feed(self, device: str, message: list[int]) -> None:
        self.devices[device].send(*message)

    def act(self, target: Target, value: int | None) -> None:
        self.presenter.act(target, value)

    def pump(self, seconds: float) -> None:
        """The app's thread for ``seconds``: the presenter's tick and the controllers' actions."""
        deadline = time.monotonic() + seconds
        while True:
            self.presenter.tick()
            self.session.pump()
            if time.monotonic() >= deadline:
                return
            time.sleep(0.004)

    def errors(self) -> dict[str, int]:
        """The counts that must stay 0: blocks the engine failed or silenced."""
        counters = self.engine.health().counters
        return {"callback_errors": counters.callback_errors, "nonfinite_blocks": counters.nonfinite_blocks}

    def advancing(self) -> bool:
        """The engine still runs: its position moves, and a Start (if the input stopped it) plays."""
        position = self.engine.position()
        if not self.engine.transport().playing:
            self.engine.send(Start(count_in=False))
        self.pump(0.1)
        return self.engine.position() > position and self.engine.transport().playing

    def close(self) -> dict:
        self.session.close()
        self.presenter.view.close()
        return self.engine.close()


def without_audio_devices() -> None:
    """This process's PortAudio lists no device (as the ``silent_engine`` fixture does): engines play silently."""
    no_audio = types.ModuleType("sounddevice")
    no_audio.query_hostapis = lambda: []
    no_audio.query_devices = lambda: []
    no_audio.PortAudioError = type("PortAudioError", (Exception,), {})
    sys.modules["sounddevice"] = no_audio
