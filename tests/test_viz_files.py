"""viz.files: every file viz writes appears whole or not at all."""
import os

import pytest

from viz.files import atomic_path, write_atomic


def test_write_atomic_replaces_whole_and_keeps_the_mode(tmp_path):
    target = tmp_path / "sub" / "page.html"
    assert write_atomic(target, "first") == str(target)
    os.chmod(target, 0o600)
    write_atomic(target, b"second")
    assert target.read_text() == "second" and (os.stat(target).st_mode & 0o777) == 0o600
    assert sorted(os.listdir(target.parent)) == ["page.html"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "fig.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target, suffix=".png") as tmp:
            with open(tmp, "wb") as f:
                f.write(b"half")
            raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["fig.png"]
