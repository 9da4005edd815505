"""MIDI: controllers in, clock and notes out, files exported — every surface on the presenter layer.

Cheat-sheet (each module does one job; the session ties them together for a performance)::

    session = MidiSession(MidiOptions(inputs=("nano",), outputs=("virtual",)), engine, presenter).start()
    session.pump()                 # the app's thread: controller actions -> the presenter; MIDI out watched
    session.summary(); session.close()

    MidiOut(MidiOutConfig(outputs=("virtual",)), engine).start()   # outproc: clock + notes, own process
    ClockPlan(show, rate).plan(...); NotePlan(show, rate).plan(...)  # clock, notes: what falls where, in samples
    MidiSender(view, outputs, clock, notes)   # sender: planner thread; sends on host time (ALSA, CoreMIDI)
    JackCycle(rate, ("virtual",))             # cycle: over JACK, written inside JACK's cycle on its frame
    InPort("nano"); OutPort("virtual")        # ports: python-rtmidi, by name part, ALSA/JACK/platform/memory
    HotPlug(ports).start()                    # hotplug: reconnect by name when a device comes back
    ControlHub(...)                           # controller: pads/buttons -> presenter actions; LEDs (feedback)
    load(settings_path()); profile_for(name)  # mapping, profiles: midi.toml bindings, built-in layouts
    ClockFollower(...)                        # follow: play in time with an external clock (--clock-in)
    export_midi(show, events, path)           # export: the render's own events as a Standard MIDI File

Layer: above audio and the presenter layer (``live``); nothing here imports the UI.  Nothing is
imported by this package itself: python-rtmidi and libjack load only where they are used.
"""
