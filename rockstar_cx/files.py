"""Every file rockstar-cx writes is whole or untouched.

A file is written to a hidden temporary file in the same folder, synced to disk and renamed over
the old one only when it is complete: a full disk, an error, Ctrl-C or SIGTERM leave the previous
file as it was and no partial file behind.  :func:`check_output` says in one line why a path
cannot be written, before any work is done.

    with replacing(mix, *stems) as temporary:   # several files: all renamed into place, or none
        write(temporary[0]) ...
    write_atomically(path, data)                # one file, its bytes at hand
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .errors import ShowError

_NAME_MAX = 255  # where the system does not say (pathconf)


@contextmanager
def replacing(*paths: Path) -> Iterator[list[Path]]:
    """One empty temporary file beside each path, for the block to write (by name, e.g. with libsndfile).

    When the block ends normally, each is synced to disk and renamed over its path; if it raises
    (anything, KeyboardInterrupt too) they are removed and every path is left untouched.  OSError
    when a temporary file cannot be made or renamed.  A symbolic link stays a link: its target is replaced.
    """
    targets = [Path(os.path.realpath(path)) for path in paths]
    for target in targets:  # a rename that would fail after another had succeeded: refused before any
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(target))
    temporary: list[Path] = []
    try:
        for target in targets:
            temporary.append(_beside(target))  # listed before it exists: a Ctrl-C as it is made still removes it
            _create(temporary[-1], temporary)
            _copy_mode(target, temporary[-1])
        yield temporary
        for path in temporary:
            _sync(path)
        for path, target in zip(temporary, targets):
            os.replace(path, target)
        for folder in {target.parent for target in targets}:
            _sync_folder(folder)  # the renames themselves survive a power cut
    except BaseException:
        for path in temporary:
            with suppress(FileNotFoundError):
                path.unlink()
        raise


def write_atomically(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole, or leave it untouched (OSError says why)."""
    with replacing(path) as (temporary,):
        temporary.write_bytes(data)
    return path


def check_output(path: Path, suffixes: Iterable[str] = ()) -> None:
    """Raise a one-line ShowError unless ``path`` can be written as a file (ending in one of ``suffixes``, if given)."""
    suffixes = tuple(suffixes)
    if suffixes and path.suffix.lower() not in suffixes:
        found = f"unknown extension '{path.suffix}'" if path.suffix else "no extension"
        raise ShowError(f"{path}: {found}: name the file {_either(suffixes)} (the format follows the extension)")
    size, longest = len(os.fsencode(path.name)), name_max(path.parent)
    if size > longest:
        raise ShowError(f"cannot write {path.name[:40]}…: the file name is too long ({size} bytes; at most {longest})")
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise ShowError(f"cannot write {path}: {describe(error)}") from error
    if mode is not None and stat.S_ISDIR(mode):
        raise ShowError(f"cannot write {path}: it is a folder; name a file in it")
    if mode is not None and not stat.S_ISREG(mode):
        raise ShowError(f"cannot write {path}: it is a device or a pipe, not a file")
    folder = path.parent
    if not folder.is_dir():
        raise ShowError(f"cannot write {path}: there is no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ShowError(f"cannot write {path}: the folder {folder} is not writable")


def name_max(folder: Path) -> int:
    """The longest file name the folder's file system takes, in bytes."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # not POSIX, or it does not say
        return _NAME_MAX


def describe(error: OSError) -> str:
    """An OSError in words, for a user: 'No space left on device', not '[Errno 28] ...'."""
    if error.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    return error.strerror or str(error)


def _either(suffixes: tuple[str, ...]) -> str:
    return ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]


def _beside(target: Path) -> Path:
    # A short hidden name: the target's own name may already be as long as the system allows.
    return target.with_name(f".{target.name[:32]}.{secrets.token_hex(4)}.part")


def _create(path: Path, listed: list[Path]) -> None:
    """Create ``path`` exclusively, with the permissions a new file gets (the umask applies); one
    that is somebody else's (it existed) is taken off ``listed``, never to be removed as ours."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666))
    except FileExistsError:
        listed.remove(path)
        raise


def _copy_mode(target: Path, temporary: Path) -> None:
    """A file replaced keeps its permissions."""
    with suppress(FileNotFoundError):
        os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows opens no folders; its renames are durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
