"""The presenter's layer, under every front-end: what they can ask, what the engine played, who acts.

Cheat-sheet::

    from rockstar_cx.live import Action, Target, EngineView, Presenter

    view = EngineView.of(engine)             # the engine replayed: one reader of its shared memory
    presenter = Presenter(view, engine.send) # the rules: GO spacing, panic, teaching, volumes ...
    presenter.act(Target(Action.GO))         # a key, a button or a pad: the same call
    presenter.act(Target(Action.MUTE, 2))    # section 3 (indices from 0)
    presenter.act(Target(Action.VOLUME, 0), 100)   # a fader's value, 0-127
    presenter.tick()                         # every frame (or every few ms): the view catches up,
                                             # a taught part keeps looping
    presenter.message; presenter.teaching; presenter.panicking()
    view.transport(); view.health(); view.click; view.fit   # typed snapshots, for any thread
    view.history; view.preview(); view.marks                # what was played and what comes

    from rockstar_cx.live.status import Place; from rockstar_cx.live.journey import journey
    Place.of(view.transport(), bar, beat, meter).words()    # "bar 6 of 8"; status.then_words: "then holds"
    journey(show, rate, view.marks, view.applied, view.entry_bars, view.position)   # the report's moments
    keeper = resume.Keeper(show); keeper.offer(); keeper.observe(view)   # the state kept for resuming

    intent.py     Action, Target: one vocabulary (midi.toml saves Action's values)
    view.py       EngineView: the one replay of the engine (position first, then events)
    presenter.py  Presenter: the presenter's intent turned into commands, with the stage's rules
    status.py     where the show stands, in numbers and words; the health rule (what is red)
    journey.py    every moment entered and what left it (GO, back, by itself ...): the run report's
    resume.py     Keeper: the performance's state on disk, offered again after a crash
    surface.py    MidiSummary, MidiSurface: what the front-ends share about MIDI

The layers, lowest first (an import points to the same layer or a lower one): show ← conductor
← audio ← live ← {ui, midi, terminal} ← performance ← cli.  No pygame and no mido here.
"""

from .intent import CONTINUOUS, CONTROLLER_ONLY, INDEXED, VIEW_ACTIONS, Action, Target
from .presenter import Presenter, Teach
from .surface import MidiSummary, MidiSurface
from .view import EngineView

__all__ = ["Action", "CONTINUOUS", "CONTROLLER_ONLY", "EngineView", "INDEXED", "MidiSummary", "MidiSurface",
           "Presenter", "Target", "Teach", "VIEW_ACTIONS"]
