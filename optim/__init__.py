"""Optimizers and learning-rate schedules for tracegrad Tensors, with torch.optim's names, defaults and numbers."""
from . import lr_scheduler, swa_utils
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .adaptive import Adadelta, Adagrad, RMSprop
from .lbfgs import LBFGS
from .lecture import LECTURE_METHODS, lecture_optimizer
from .optimizer import Optimizer
from .sgd import SGD
from .sign_and_average import ASGD, Rprop

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
           "ASGD", "Rprop", "LBFGS", "lr_scheduler", "swa_utils", "LECTURE_METHODS", "lecture_optimizer"]
