"""tracegrad's engine: reverse-mode autograd on NumPy that records the graph of the primitive ops it runs.

NOTE: the package name ``autograd`` is also HIPS autograd's; the two cannot share an environment.
"""
import numpy as _np

from . import vjp_helpers as _vjp_helpers
from .tensor import Tensor  # noqa: F401
from . import ops  # noqa: F401  (registers every primitive)
from . import functional
from . import tensor_methods  # noqa: F401  (binds operators and methods onto Tensor)
from . import inplace as _inplace
from .functional import (  # noqa: F401
    abs, add, all, amax, amin, any, argmax, argmin, astype, broadcast_to, cat, clamp, clip, clone, concat,
    concatenate, cos, divide, exp, expand_dims, flatten, gather, getitem, linear, log, log_softmax, logsumexp, matmul,
    max, maximum, mean, min, minimum, multiply, negative, norm, pad, prod, power, relu, reshape, sigmoid, sign, sin,
    softmax, sort, sqrt, squeeze, stack, std, subtract, sum, swapaxes, tanh, topk, unsqueeze, var, where,
)
from .functional import (  # noqa: F401
    acos, arccos, arcsin, arctan, asin, atan, cosh, expm1, log10, log1p, log2, reciprocal, rsqrt, sinh, tan,
)
from .reductions import ValuesIndices  # noqa: F401
from .composed import *  # noqa: F401,F403  (chunk, split, repeat, mm, eq, ... : see composed.__all__)
from .creation import (  # noqa: F401
    BoolTensor, ByteTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
    Generator, arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, is_tensor, linspace, normal,
    ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from .dtypes import DTYPES as _DTYPES, cuda, device, promote_types, result_type  # noqa: F401
from .mode import (  # noqa: F401
    absolute_scope, current_scope, default_generator, enable_grad, inference_mode, is_grad_enabled, manual_seed,
    no_grad, scope, set_grad_enabled,
)
from .engine import backward, grad  # noqa: F401
from .anomaly import AnomalyError, detect_anomaly  # noqa: F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401
from .graph import Graph, GraphNode  # noqa: F401
from .trace import BackwardRecorder, Tracer, TracerHandle, attach_tracer, tracing  # noqa: F401
from .function import Function, REGISTRY, register  # noqa: F401
from .hooks import RemovableHandle  # noqa: F401
from .serialization import load, save  # noqa: F401
from . import utils  # noqa: F401
from . import linalg  # noqa: F401  (torch.linalg's common names)
from .linalg import det, inv  # noqa: F401
from . import autograd  # noqa: F401  (torch.autograd's spellings: autograd.autograd.grad, .Function, .Variable)
from . import compat as _compat
from .compat import (  # noqa: F401
    accelerator, are_deterministic_algorithms_enabled, backends, get_default_dtype, get_num_threads, seed,
    set_default_device, set_num_threads, set_printoptions, use_deterministic_algorithms,
)

_vjp_helpers.F = functional
_inplace.bind()
_compat.install_alias()  # import autograd.nn / autograd.optim find the nn and optim packages
globals().update(_DTYPES)  # torch's dtype names: float32, float, double, long, int, bool, ... (NumPy dtypes)
bool_ = _np.bool_
pow, mul, sub, div, neg, true_divide = power, multiply, subtract, divide, negative, divide  # torch's spellings
absolute, swapdims = abs, swapaxes
transpose = tensor_methods._transpose  # torch.transpose(x, 0, 1) swaps two dimensions; one tuple permutes (NumPy)
permute = tensor_methods._METHODS["permute"]
t = tensor_methods._METHODS["t"]
for _name in ("add sub subtract mul multiply div divide true_divide pow power matmul mm bmm exp log sqrt abs sin "
              "cos tanh sigmoid relu maximum minimum clamp clip neg negative sum mean cat concat concatenate stack "
              "where square").split():
    globals()[_name] = _compat.with_out(globals()[_name])


def _inplace_function(name: str):
    def fn(input: Tensor, *args, **kwargs) -> Tensor:  # noqa: A002 - torch's name
        return getattr(input, name)(*args, **kwargs)
    fn.__name__, fn.__doc__ = name, f"``torch.{name}(x, ...)``: the same as ``x.{name}(...)``, in place."
    return fn


for _name in ("sin_ cos_ tanh_ sigmoid_ relu_ exp_ log_ sqrt_ abs_ neg_ clamp_ clip_ square_ zero_ fill_ add_ "
              "sub_ mul_ div_").split():
    globals()[_name] = _inplace_function(_name)


def __getattr__(name: str):
    """``torch.nn`` / ``torch.optim`` spelled on this package: ``import autograd as torch; torch.nn.Linear`` works.

    NOTE: resolved by name when first asked for, never imported here: autograd itself uses neither.
    """
    if name in ("nn", "optim"):
        import importlib
        return importlib.import_module(name)
    raise _compat.missing("autograd", name, globals())
