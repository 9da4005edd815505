"""The conductor core: show + commands -> sample-exact events.

    conductor = Conductor(show, 48000)            # live: moments wait for the presenter (then = "hold")
    conductor = Conductor(show, 48000, hold_bars=4)  # offline: every moment moves on; held ones after 4 bars
    conductor.submit(Start(count_in=True))
    events = conductor.advance(128)               # the events of the next 128 samples
    conductor.transport()                         # moment, bar, beat, tempo, armed, mute/solo

Events: Hit, Beat, MomentStart, Stop (see :mod:`.events`).  Commands: Start, Stop, Next,
Previous, Launch, SetTempo, NudgeTempo, TapTempo, Mute, Solo, LiveHit, Reset, each quantized by
:class:`Quantize` where it applies (see :mod:`.commands`).  :func:`perform` runs a whole show
offline and returns its events.
"""

from .commands import (Command, Launch, LiveHit, Mute, Next, NudgeTempo, Panic, Previous, Quantize, Reset, SetTempo,
                       Solo, Start, TapTempo)
from .commands import Stop as StopCommand
from .conductor import Conductor, Transport
from .events import COUNT_IN, Beat, Event, Hit, MomentStart, Stop
from .perform import perform

__all__ = [
    "Beat", "COUNT_IN", "Command", "Conductor", "Event", "Hit", "Launch", "LiveHit", "MomentStart", "Mute", "Next",
    "NudgeTempo", "Panic", "Previous", "Quantize", "Reset", "SetTempo", "Solo", "Start", "Stop", "StopCommand", "TapTempo",
    "Transport", "perform",
]
