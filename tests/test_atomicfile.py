"""Atomic writes: the old file survives a failed write, the new one has the usual
permissions, and the process umask is never changed."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from simulator.atomicfile import TEMPORARY_GLOB, atomic_open, write_atomic


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "file.txt"
    path.write_text("old")
    with pytest.raises(OSError, match="disk full"), atomic_open(path) as handle:
        handle.write("new, half")
        raise OSError("disk full")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["file.txt"]


def test_text_and_bytes_replace_the_file_and_folders_are_made(tmp_path):
    path = tmp_path / "new" / "folder" / "out.md"
    assert write_atomic(path, "é\r\nline\n") == path
    assert path.read_bytes() == "é\r\nline\n".encode()  # UTF-8, newlines as given
    write_atomic(path, b"\x00\x01")
    assert path.read_bytes() == b"\x00\x01"
    assert not list(path.parent.glob(TEMPORARY_GLOB))


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_permissions_follow_the_umask_which_stays_as_it_was(tmp_path):
    previous = os.umask(0o027)
    try:
        path = write_atomic(tmp_path / "shared.txt", "x")
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # 0o666 less the umask
        assert os.umask(0o027) == 0o027  # writing did not change it
    finally:
        os.umask(previous)


def test_threads_writing_the_same_file_never_leave_half_a_file(tmp_path):
    path = tmp_path / "shared.txt"
    texts = [str(i) * 10_000 for i in range(8)]
    threads = [threading.Thread(target=write_atomic, args=(path, text)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_text() in texts
    assert os.listdir(tmp_path) == ["shared.txt"]


def test_only_whole_file_modes_are_accepted(tmp_path):
    with pytest.raises(ValueError, match="mode"), atomic_open(tmp_path / "x", "a"):
        pass
