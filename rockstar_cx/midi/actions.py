"""Controller intents turned into what the show does, by the same rules as the stage's keys.

Presenter actions (GO, back, start/stop, panic, mute, solo, teach, tempo ±, click …) go through
the stage's :class:`~rockstar_cx.ui.director.Director` — a pad's GO is debounced like a
clicker's, a second panic stops at once, teaching loops — so a controller and the keyboard can
never disagree.  The stage passes its own Director; headless (``--no-ui``) the dispatcher makes
one.  Launching moment N is a quantized :class:`~rockstar_cx.conductor.commands.Launch`;
tap tempo and live hits were already sent by the controller thread (they are all timing).
Volumes become the engine's :class:`~rockstar_cx.audio.ipc.SetGain`: a fader's 0-127 on a
square law (half way is about -12 dB, as on a mixing desk's fader, not -6 dB).

Threading contract: the app's thread owns a Dispatcher (the Director is not thread-safe).
"""

from __future__ import annotations

from collections.abc import Callable

from ..audio.commands import SetGain
from ..conductor.commands import Launch, Quantize
from ..conductor.conductor import Transport
from ..show.model import Show
from ..ui.controls import Action
from ..ui.director import Director
from .controller import Intent
from .mapping import Extra


class Dispatcher:
    def __init__(self, show: Show, send: Callable[[object], bool], rate: int, *, director: Director | None = None) -> None:
        self.show = show
        self.send = send
        self.director = director or Director(show, send, rate)

    def handle(self, intent: Intent, transport: Transport, click: bool, *, panic_sample: int | None = None) -> None:
        """Do ``intent`` given the engine's ``transport`` and click state (and the stage's panic state, if any)."""
        if intent.sent:
            return
        action, index = intent.target.action, intent.target.index
        if isinstance(action, Action):
            self.director.act(action, index, transport, click=click,
                              panic_sample=panic_sample)
        elif action is Extra.LAUNCH and index < len(self.show.moments):
            self.send(Launch(index, Quantize.BAR))
        elif action is Extra.VOLUME and index is not None and index < len(self.show.sections):
            self.send(SetGain(index, (intent.value / 127.0) ** 2))
        elif action is Extra.MASTER:
            self.send(SetGain(None, (intent.value / 127.0) ** 2))
