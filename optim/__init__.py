"""Optimizers and learning-rate schedules for tracegrad Tensors, with torch.optim's names, defaults and numbers."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .adaptive import Adadelta, Adagrad, RMSprop
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "lr_scheduler"]
