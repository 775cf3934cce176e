"""tracegrad's engine: reverse-mode autograd on NumPy that records the graph of the primitive ops it runs.

NOTE: the package name ``autograd`` is also HIPS autograd's; the two cannot share an environment.
"""
import numpy as _np

from . import vjp_helpers as _vjp_helpers
from .tensor import Tensor, as_tensor  # noqa: F401
from . import ops  # noqa: F401  (registers every primitive)
from . import functional
from . import tensor_methods  # noqa: F401  (binds operators and methods onto Tensor)
from . import inplace as _inplace
from .functional import (  # noqa: F401
    abs, add, argmax, argmin, astype, broadcast_to, cat, clamp, clip, concatenate, cos, divide, exp, expand_dims,
    flatten, getitem, linear, log, log_softmax, logsumexp, matmul, max, maximum, mean, min, minimum, multiply,
    negative, ones_like, pad, power, relu, reshape, sigmoid, sign, sin, softmax, sqrt, squeeze, stack, std,
    subtract, sum, swapaxes, tanh, transpose, unsqueeze, var, where, zeros_like,
)
from .creation import arange, eye, full, linspace, ones, rand, randint, randn, tensor, zeros  # noqa: F401
from .mode import (  # noqa: F401
    absolute_scope, current_scope, default_generator, enable_grad, is_grad_enabled, manual_seed, no_grad, scope,
    set_grad_enabled,
)
from .engine import backward, grad  # noqa: F401
from .anomaly import AnomalyError, detect_anomaly  # noqa: F401
from .gradcheck import GradcheckError, gradcheck  # noqa: F401
from .graph import Graph, GraphNode  # noqa: F401
from .trace import BackwardRecorder, Tracer, tracing  # noqa: F401
from .function import Function, REGISTRY, register  # noqa: F401

_vjp_helpers.F = functional
_inplace.bind()
float32, float64, int32, int64, bool_ = _np.float32, _np.float64, _np.int32, _np.int64, _np.bool_
