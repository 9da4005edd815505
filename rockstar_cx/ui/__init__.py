"""The stage app (pygame-ce): the projector's stage view and the presenter's console.

    app.py       StageApp: windows, the frame loop, keys and clicks -> the presenter (rockstar_cx.live)
    options.py   StageOptions: how it is asked to run (no pygame: the command line makes them)
    cues.py      what is on stage at a sample, from the engine's replay (rockstar_cx.live.view)
    stage.py     the stage view; layout.py, widgets.py, icons.py its geometry and pieces
    console.py   the presenter console and the help overlay
    controls.py  the key table; settings.py, calibrate.py the projector delay; text.py, palette.py type and colour

A front-end beside rockstar_cx.midi and rockstar_cx.terminal: it imports neither.
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before anything here imports pygame
