"""Audio: the real-time engine in a process of its own, its device, and the offline render.

Cheat-sheet (callback, device and manager kept apart: the callback's contract is in
:mod:`.engine`, the device by name in :mod:`.device`, the manager in :mod:`.supervisor`)::

    engine = AudioEngine(EngineConfig(show, device="USB")).start()   # supervisor: spawn, watch, revive
    engine.send(Start(count_in=True))      # checked at the door (validate), lock-free ring (ipc)
    engine.health().clock.host_of(sample)  # health: counters, state, the sample<->host clock fit (clock)
    report = engine.close()                # the run report

    render_to_files(show, Path("keynote.wav"), stems_dir=...)   # render: offline, written aside and renamed
    render_show(show, 48000)               # (audio, per-section audio, events) as arrays
    choose_output(sounddevice, "USB")      # device: by any part of its name, never by index
    Routing(main=(1, 2), cue=(3, 4))       # cue: which channels carry the room's mix and the cue mix
    RoomRing                               # room: the mic's blocks, copied by the callback, read elsewhere
    log_sweep(48000); PlayProbe()          # probe: the calibration sweep the engine plays on command

Inside the engine process: :mod:`.process` (entry point), :mod:`.engine` (stream and callback),
:mod:`.ahead` (blocks rendered before they are due), :mod:`.mixer` and :mod:`.kit` (the sounds),
:mod:`.commands` (the engine's own commands), :mod:`.revival` (a dead engine's successor).

Layer: above show and conductor; below the presenter layer (``live``) and every front-end.
Nothing is imported by this package itself: PortAudio loads only where a stream is opened.
"""
