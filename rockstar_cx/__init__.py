"""rockstar-cx: musical keynotes — the audience is the orchestra, the app is the conductor.

Cheat-sheet of the public API::

    from rockstar_cx.show import load_show, builtin_show   # TOML show files -> frozen Show
    show = load_show("keynote.toml")                        # ShowError lists every FILE:LINE problem

    from rockstar_cx.conductor import Conductor, Start, Next, Quantize, perform
    conductor = Conductor(show, 48000)                      # live: show + commands -> events
    conductor.submit(Start(count_in=True)); conductor.submit(Next(Quantize.BAR))
    events = conductor.advance(128)                         # Hit / Beat / MomentStart / Stop, sample-exact
    events = perform(show, 48000)                           # the whole journey offline

    from rockstar_cx.audio.kit import synthesize, kit_for_show   # the numpy-synthesized kit
    from rockstar_cx.audio.mixer import Mixer                    # events -> audio blocks (callback-safe)
    from rockstar_cx.audio.render import render_to_files         # WAV + stems
    from rockstar_cx.midi.export import export_midi              # the same events as a MIDI file

    from rockstar_cx.live import EngineView, Presenter, Target, Action   # performing live (see rockstar_cx.live)
    presenter = Presenter(EngineView.of(engine), engine.send)     # engine: audio.supervisor.AudioEngine
    presenter.act(Target(Action.GO)); presenter.tick()

    from rockstar_cx.performance import Performance, PerformanceConfig   # what `rockstar-cx play` runs

Layers (an import points left): show ← conductor ← audio ← live ← {ui, midi, terminal} ←
performance ← cli.  Command line: ``rockstar-cx --help``.
"""

__version__ = "0.1.0"
