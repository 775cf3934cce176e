"""optim.lecture_optimizer: the lecture's seven methods by name, one table for the command line and the race."""
import numpy as np
import pytest

import optim
from autograd import Tensor


@pytest.mark.parametrize("name, cls, settings", [
    ("sgd", optim.SGD, {"momentum": 0}), ("Momentum", optim.SGD, {"momentum": 0.9, "nesterov": False}),
    ("nag", optim.SGD, {"momentum": 0.9, "nesterov": True}), ("nesterov", optim.SGD, {"nesterov": True}),
    ("adagrad", optim.Adagrad, {}), ("Adadelta", optim.Adadelta, {}), ("rmsprop", optim.RMSprop, {}),
    ("ADAM", optim.Adam, {})])
def test_each_name_builds_its_method(name, cls, settings):
    opt = optim.lecture_optimizer(name, [Tensor(np.ones(2), requires_grad=True)], 0.1)
    assert type(opt) is cls and opt.param_groups[0]["lr"] == 0.1
    assert all(opt.param_groups[0][k] == v for k, v in settings.items())


def test_an_unknown_name_lists_the_methods():
    with pytest.raises(ValueError, match="adam.*sgd"):
        optim.lecture_optimizer("lion", [Tensor(np.ones(2), requires_grad=True)], 0.1)
