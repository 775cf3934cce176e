"""nn.functional: the stateless forms of the layers, activations and losses."""
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .loss_extra import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .conv_transpose import *  # noqa: F401,F403
from .upsample import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
