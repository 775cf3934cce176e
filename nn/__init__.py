"""nn: modules, layers, activations, losses, blocks and models on tracegrad's engine (PyTorch's names)."""
from . import data, functional, init, utils  # noqa: F401
from .module import *  # noqa: F401,F403
from .containers import *  # noqa: F401,F403
from .param_containers import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .loss_extra import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .upsample import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .mlp import *  # noqa: F401,F403
from .blocks import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .serialization import save, load  # noqa: F401
from . import models  # noqa: F401
from .trainer import Callback, Trainer, TrainingInterrupted  # noqa: F401
from .knn import KNeighborsClassifier  # noqa: F401
from .checkpoint import load_checkpoint, read_history  # noqa: F401


def __getattr__(name: str):
    """A name nn lacks: say so with torch's spelling and the nearest tracegrad one."""
    from autograd.compat import missing
    raise missing("nn", name, globals())
