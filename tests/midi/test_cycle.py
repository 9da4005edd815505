"""MIDI out inside JACK's cycle, deterministically: which block a cycle plays (FrameMap), and what
the sender writes into each cycle, on which frame (a recording port, cycles called by hand).

The same path through a real JACK server, against the captured audio: test_clock_out.py.
"""

from __future__ import annotations

from played import scripted_view

from rockstar_cx.audio.health import AudioState, ClockFit, Health
from rockstar_cx.conductor import Start
from rockstar_cx.midi.clock import ClockPlan
from rockstar_cx.midi.cycle import AGREE, FrameMap
from rockstar_cx.midi.notes import NotePlan
from rockstar_cx.midi.sender import STALE_S, MidiSender, Output

from ..conductor.shows import make_show, moment, section

RATE = 48000
BLOCK = 128
TICK = 1000  # samples per MIDI clock tick at 120 bpm, 48 kHz
HOST0 = 100.0  # host time of sample 0


def test_a_single_odd_reading_leaves_the_frame_map_and_agreeing_ones_move_it():
    frames = FrameMap()
    assert frames.sample(1000, 5120) == 5120  # the first reading sets the offset: 4,120
    assert frames.sample(1128, 5376) == 5248  # a cycle that woke late reads a block ahead: ignored
    assert frames.sample(1256, 5376) == 5376
    # an xrun: three periods of frames pass that the engine never played, for good
    after = [frames.sample(1384 + 384 + BLOCK * i, 5504 + BLOCK * i) for i in range(AGREE + 1)]
    assert after[:AGREE - 1] == [5504 + 384 + BLOCK * i for i in range(AGREE - 1)]
    assert after[AGREE - 1:] == [5504 + BLOCK * i for i in range(AGREE - 1, AGREE + 1)]
    assert (frames.offset, frames.moves) == (5504 - 1768, 1)


class Recording:
    """Stands in for a CyclePort: what was written, on the engine's sample timeline."""

    def __init__(self) -> None:
        self.cycle_start = 0
        self.written: list[tuple[int, bytes]] = []

    def write(self, frame: int, data) -> None:
        assert 0 <= frame < BLOCK
        self.written.append((self.cycle_start + frame, bytes(data)))


def perform(blocks: int, *, offset_s: float = 0.0, missed: range = range(0)) -> tuple[list, MidiSender]:
    """Play a one-section show (a hit on every beat, 120 bpm) for ``blocks`` cycles; the cycles
    ``missed`` never ran (the process was stopped)."""
    show = make_show([section("a", "X...")], [moment("one", ("a",), 0)], count_in=0)
    view, script = scripted_view(show, RATE)
    script.health = Health(state=AudioState.OK, clock=ClockFit(0.0, HOST0, 1.0 / RATE, 0.0, BLOCK))
    port = Recording()
    sender = MidiSender(view, [Output(port)], ClockPlan(show, RATE), NotePlan(show, RATE), offset_s=offset_s,
                        cycle=True)  # not started: planned and cycled by hand
    script.apply(0, Start(count_in=False))
    for k in range(blocks):
        start = k * BLOCK
        script.position = start
        sender.plan_once(HOST0 + start / RATE)
        if k not in missed:
            assert sender.block_at(HOST0 + (start + 20) / RATE) == start  # the cycle's host time names its block
            port.cycle_start = start
            sender.cycle(start, BLOCK)
    return port.written, sender


def test_every_message_is_written_on_its_samples_frame_once():
    written, sender = perform(400)  # 51,200 samples: beats at 0, 24,000 and 48,000
    end = 400 * BLOCK
    assert [f for f, d in written if d == b"\xfa"] == [0]
    assert [f for f, d in written if d == b"\xf8"] == list(range(0, end, TICK))
    assert [(f, d) for f, d in written if d[0] in (0x99, 0x89)] == [
        (0, b"\x99\x3c\x7f"), (1440, b"\x89\x3c\x00"), (24000, b"\x99\x3c\x7f"), (25440, b"\x89\x3c\x00"),
        (48000, b"\x99\x3c\x7f"), (49440, b"\x89\x3c\x00")]
    assert sender.jitter()["late_ms_max"] == 0.0


def test_the_midi_offset_moves_every_message_by_its_samples():
    written, _ = perform(400, offset_s=0.010)  # 480 samples early: what was due before 0 is late
    ticks = [f for f, d in written if d == b"\xf8"]
    assert ticks[1:] == list(range(TICK - 480, 400 * BLOCK - 480, TICK))
    assert (24000 - 480, b"\x99\x3c\x7f") in written


def test_cycles_that_never_ran_leave_their_messages_to_the_next_on_its_first_frame():
    # blocks 20-59 (samples 2,560-7,679, 107 ms) never ran: the ticks at 3,000-7,000 are late when
    # the cycle at 7,680 comes; those over STALE_S (50 ms, 2,400 samples) late are skipped, so a
    # stall ends in no burst of clocks, the rest go out on that cycle's first frame
    written, sender = perform(100, missed=range(20, 60))
    assert STALE_S * RATE == 2400
    ticks = [f for f, d in written if d == b"\xf8"]
    assert ticks == [0, 1000, 2000, 7680, 7680] + list(range(8000, 100 * BLOCK, TICK))
    assert sender.stats.skipped == 3
    assert max(sender.stats.lateness) == (7680 - 6000) / RATE
