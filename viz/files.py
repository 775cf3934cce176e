"""Every file viz writes is written atomically (``autograd.utils.files``: one writer for the whole project)."""
from autograd.utils.files import atomic_path, write_atomic  # noqa: F401
