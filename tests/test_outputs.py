"""Every output whole or untouched (issue 16.4): the render and its stems, the MIDI export, the stage
settings and midi.toml are written beside the old file and renamed into place only when complete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rockstar_cx.errors import ShowError
from rockstar_cx.files import replacing, write_atomically
from rockstar_cx.midi import mapping
from rockstar_cx.midi.mapping import NOTE, Control, Mapping, MidiSettings
from rockstar_cx.live.intent import Action, Target
from rockstar_cx.ui.settings import Settings, load_settings, save_settings
from test_cli import SHOW, run

OLD = b"the previous good file"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.part"))


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 64 KB tmpfs holding ``old.*`` files, then filled to the last byte."""
    mount = tmp_path / "small"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {result.stderr.strip()}")
    try:
        for name in ("mix.wav", "show.mid", "settings.toml"):
            (mount / name).write_bytes(OLD)
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, b"\0" * 512):
                pass
        except OSError:  # full
            pass
        finally:
            os.close(filler)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_failing_block_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(OLD)
    target.chmod(0o640)
    with pytest.raises(KeyboardInterrupt):
        with replacing(target) as (temporary,):
            temporary.write_bytes(b"half a fi")
            raise KeyboardInterrupt
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o640  # a file replaced keeps its permissions


def test_ctrl_c_mid_render_leaves_the_previous_mix_and_stems_as_they_were(tmp_path):
    mix, stems = tmp_path / "keynote.wav", tmp_path / "stems"
    stems.mkdir()
    mix.write_bytes(OLD)
    (stems / "sales.wav").write_bytes(OLD)
    # Ctrl-C as in a terminal: a suite started in the background (`&` without job control) ignores SIGINT,
    # and a child keeps that (Python then installs no KeyboardInterrupt): the render would finish regardless
    render = subprocess.Popen([sys.executable, "-m", "rockstar_cx", "render", "-o", str(mix), "--stems", str(stems),
                               "--samplerate", "192000"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    began, looks = time.monotonic(), 0
    while True:  # look only while it is stopped: it cannot finish between seeing a file and the Ctrl-C
        render.send_signal(signal.SIGSTOP)
        writing = any(tmp_path.rglob(".*.part"))
        if writing or render.poll() is not None:
            break
        render.send_signal(signal.SIGCONT)
        looks += 1
        assert time.monotonic() - began < 60, render.communicate()
        time.sleep(0.002)
    assert writing, (f"the render ended ({render.returncode}) after {time.monotonic() - began:.2f} s and {looks} looks "
                     f"without a temporary file seen: {sorted(p.name for p in tmp_path.rglob('*'))}")
    render.send_signal(signal.SIGINT)
    render.send_signal(signal.SIGCONT)
    _, err = render.communicate(timeout=60)
    assert render.returncode == 130, err
    assert mix.read_bytes() == OLD and (stems / "sales.wav").read_bytes() == OLD
    assert leftovers(tmp_path) == [] and sorted(p.name for p in stems.iterdir()) == ["sales.wav"]


def test_a_full_disk_is_a_clear_error_and_leaves_every_old_file(full_disk):
    result = run("render", "-o", str(full_disk / "mix.wav"))
    assert result.returncode == 2 and "No space left on device" in result.stderr, result.stderr
    result = run("export-midi", "-o", str(full_disk / "show.mid"))
    assert result.returncode == 2 and "No space left on device" in result.stderr, result.stderr
    with pytest.raises(OSError):
        save_settings(Settings(visual_offset_ms=40.0), full_disk / "settings.toml")
    for name in ("mix.wav", "show.mid", "settings.toml"):
        assert (full_disk / name).read_bytes() == OLD
    assert leftovers(full_disk) == []


def test_a_stem_that_cannot_be_written_stops_the_render_before_the_mix_is_touched(tmp_path):
    show, mix, stems = tmp_path / "tiny.toml", tmp_path / "mix.wav", tmp_path / "stems"
    show.write_text(SHOW)
    mix.write_bytes(OLD)
    (stems / "a.wav").mkdir(parents=True)  # where section a's stem goes
    result = run("render", str(show), "-o", str(mix), "--stems", str(stems))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "a.wav: it is a folder" in result.stderr
    assert mix.read_bytes() == OLD and leftovers(tmp_path) == []


def test_a_render_that_fails_in_a_new_stems_folder_leaves_no_folder(tmp_path):
    from rockstar_cx.audio import render
    from rockstar_cx.show import load_show

    show = tmp_path / "tiny.toml"
    show.write_text(SHOW)
    with pytest.raises(KeyboardInterrupt):
        render.render_to_files(load_show(show), tmp_path / "mix.wav", stems_dir=tmp_path / "new" / "stems",
                               progress=lambda done, total: (_ for _ in ()).throw(KeyboardInterrupt))
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["tiny.toml"]


def test_render_formats_follow_the_extension(tmp_path):
    import soundfile

    show = tmp_path / "tiny.toml"
    show.write_text(SHOW)
    for name, kind in (("mix.flac", "FLAC"), ("mix.aiff", "AIFF"), ("mix.WAV", "WAV")):
        result = run("render", str(show), "-o", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        assert soundfile.info(str(tmp_path / name)).format == kind


def test_midi_toml_escapes_control_characters_so_it_always_reads_back(tmp_path):
    name = 'pad\n[[binding]]\x1b[31m "quoted" \\ \t\x7f\x00 é'
    settings = MidiSettings({name: Mapping({Control(NOTE, 0, 36): Target(Action.GO)})}, {name: (False, True)})
    path = mapping.save(settings, tmp_path / "midi.toml")
    loaded, warning = mapping.load(path)
    assert warning == "" and loaded.learned == settings.learned and loaded.outputs == settings.outputs
    assert leftovers(tmp_path) == []


def test_settings_are_saved_whole(tmp_path):
    path = save_settings(Settings(visual_offset_ms=42.5, display=2), tmp_path / "settings.toml")
    assert load_settings(path) == (Settings(visual_offset_ms=42.5, display=2), "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.toml"]


def test_the_library_checks_outputs_too(tmp_path):
    from rockstar_cx.conductor.perform import perform
    from rockstar_cx.midi.export import export_midi
    from rockstar_cx.show import load_show

    show = load_show(None)
    with pytest.raises(ShowError, match=r"unknown extension '\.txt': name the file \.mid or \.midi"):
        export_midi(show, perform(show, 48000), tmp_path / "show.txt")
    assert os.listdir(tmp_path) == []
