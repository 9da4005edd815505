"""A whole performance with ``--no-ui``: the terminal front-end, a controller, the presenter's rules.

The performance is the one ``rockstar-cx play --no-ui`` runs (engine, view, presenter, MIDI, the
terminal loop), on a silent engine in this process and the in-memory MIDI system; a pad, bound
in ``midi.toml`` as a user would bind it by MIDI learn, plays the presenter's part.  What is
checked is what the engine applied, command for command.
"""

from __future__ import annotations

import io
import threading
import time

import pytest

from rockstar_cx.audio.engine import EngineConfig
from rockstar_cx.conductor.commands import Launch, Panic, Quantize, Solo, Start, Stop
from rockstar_cx.conductor.events import MomentStart
from rockstar_cx.conductor.events import Stop as Stopped
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.midi import mapping
from rockstar_cx.midi.mapping import NOTE, Control, Mapping, MidiSettings
from rockstar_cx.midi.session import MidiOptions
from rockstar_cx.performance import Performance, PerformanceConfig

from .conductor.shows import make_show, moment, section
from .midi.test_controller import MemoryDevice

TEACH_NOTE, PANIC_NOTE = 60, 61


@pytest.fixture
def pad(bus, tmp_path, monkeypatch):
    """A generic pad whose note 60 teaches section 2 and note 61 panics (learned, in midi.toml)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    mapping.save(MidiSettings({"generic": Mapping({Control(NOTE, 0, TEACH_NOTE): Target(Action.TEACH, 1),
                                                   Control(NOTE, 0, PANIC_NOTE): Target(Action.PANIC)})}, {}))
    device = MemoryDevice(bus, "Test Pad", "Pad Out", "Pad In")
    yield device
    device.close()


class Running:
    """A ``--no-ui`` performance whose terminal loop runs in a thread, as the command line runs it."""

    def __init__(self, show, seconds: float) -> None:
        config = PerformanceConfig(engine=EngineConfig(show, device="no audio device here", hold_bars=4),
                                   midi=MidiOptions(inputs=("test pad",), api="memory"), duration=seconds,
                                   in_process=True)
        self.performance = Performance(config, out=io.StringIO()).start()
        self.engine, self.view = self.performance.engine, self.performance.view
        self.thread = threading.Thread(target=self.performance.run, daemon=True)
        self.thread.start()

    def wait(self, condition, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.005)

    def moment_starts(self, moment: int) -> list[int]:
        return [m.sample for m in self.view.marks if type(m) is MomentStart and m.moment == moment]

    def finish(self) -> tuple[list, dict]:
        """Wait for the front-end to end; (what the engine applied, the run report)."""
        self.thread.join(30)
        assert not self.thread.is_alive()
        applied = [(event.sample, event.command) for event in self.engine.events() if type(event).__name__ == "Applied"]
        return applied, self.performance.close()


@pytest.mark.parametrize("bars", [1, 0], ids=["a moment of a bar", "a held moment (4 bars with --no-ui)"])
def test_a_controllers_teach_loops_the_part_with_no_ui(silent_engine, pad, bars):
    """The taught moment is launched again at its own end, for as long as teaching lasts."""
    show = make_show([section("a", "x"), section("b", "x")], [moment("talk", ("a",), 0), moment("sales", ("b",), bars)],
                     tempo=240.0, meter=(4 if bars else 1, 4), count_in=0)  # the part: a second
    run = Running(show, seconds=7.0)
    try:
        run.wait(lambda: run.view.transport().playing)
        pad.press(0x90, TEACH_NOTE, 100)  # teach section 2: it plays first in moment 2, a bar long
        run.wait(lambda: len(run.moment_starts(1)) >= 4)  # the part, then three loops of it
    finally:
        applied, report = run.finish()
    commands = [command for _, command in applied]
    assert commands[:4] == [Start(count_in=True), Solo(1, True), Launch(1, Quantize.BAR), Launch(1, Quantize.MOMENT)]
    loops = commands[3:]
    assert len(loops) >= 3 and set(loops) == {Launch(1, Quantize.MOMENT)}
    moments = [(entry["id"], entry["left_by"]) for entry in report["moments"]]  # the run-through, timed
    assert moments[0] == ("talk", "launch") and set(moments[1:-1]) == {("sales", "launch")}
    assert moments[-1][0] == "sales" and moments[-1][1] in ("launch", None)
    assert report["callback_errors"] == 0 and report["midi"]["controllers"]["accepted"] >= 1


def test_a_second_panic_after_a_second_stops_at_once_with_no_ui(silent_engine, pad):
    """The first panic fades out to the bar line; a second one during the fade stops there and then."""
    show = make_show([section("a", "x...")], [moment("slow", ("a",), 0, tempo=60.0)], count_in=0)  # 4 s bars
    run = Running(show, seconds=8.0)
    try:
        run.wait(lambda: run.view.transport().playing)
        pad.press(0x90, PANIC_NOTE, 100)
        run.wait(lambda: run.view.panic_sample is not None)
        time.sleep(1.0)
        assert run.view.transport().playing  # still fading: the bar line is seconds away
        pad.press(0x90, PANIC_NOTE, 100)
        run.wait(lambda: any(type(m) is Stopped for m in run.view.marks))
        stopped = next(m for m in run.view.marks if type(m) is Stopped)
    finally:
        applied, report = run.finish()
    assert [command for _, command in applied] == [Start(count_in=True), Panic(), Stop()]
    (panic, _), (stop, _) = applied[1:]
    assert stop - panic >= 1.0 * 48000 and stopped.sample == stop  # stopped at once, not at the bar line
    assert report["callback_errors"] == 0
