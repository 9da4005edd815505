"""The stage app (pygame-ce): the projector's stage view and the presenter's console.

    app.py       StageApp: windows, the frame loop, keys and clicks
    cues.py      what is on stage at a sample: the engine's conductor replayed and previewed
    stage.py     the stage view; layout.py, widgets.py, icons.py its geometry and pieces
    console.py   the presenter console and the help overlay
    director.py  presenter actions -> engine commands (GO spacing, panic, teaching)
    controls.py  the key table; settings.py, calibrate.py the projector delay; text.py, palette.py type and colour
"""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # before anything here imports pygame
