"""Small show files that once took minutes and gigabytes to check (issue 16), built in code."""

from __future__ import annotations


def beat_bomb(sections: int = 32, bars: int = 999, moments: int = 1) -> str:
    """32 sections hitting every 32nd note at 300 bpm in 32/32 for 999 bars: 2.7 KB, ~8 million hits."""
    lines = ['[show]\ntitle = "Bomb"\ntempo = 300\nmeter = "32/32"\n']
    for i in range(sections):
        lines.append(f'[[sections]]\nid = "s{i}"\nsound = "click"\npattern = "x"\nsteps_per_beat = 8\n')
    ids = ", ".join(f'"s{i}"' for i in range(sections))
    for i in range(moments):
        lines.append(f'[[moments]]\nid = "m{i}"\ntitle = "M"\nsections = [{ids}]\nbars = {bars}\n')
    return "".join(lines)


def dotted_key_bomb(size: int = 46_000) -> str:
    """One dotted key of ``size`` characters (a.a.a...), which once took seconds per kilobyte to locate."""
    return "a" + ".a" * (size // 2) + " = 1\n"
