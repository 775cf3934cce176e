"""autograd/tensor.pyi against the runtime Tensor: Tensor's methods are bound at import time (tensor_methods.py,
inplace.bind(), conversion.METHODS), so the stub is what an IDE and mypy see. It must declare every name the
class has, and nothing it lacks, so the two cannot drift apart."""
import ast
import importlib
import pathlib

import autograd

tensor_module = importlib.import_module("autograd.tensor")  # autograd.tensor the name is the torch.tensor function

ROOT = pathlib.Path(tensor_module.__file__).parent
STUB = ast.parse((ROOT / "tensor.pyi").read_text())
SOURCE = ast.parse((ROOT / "tensor.py").read_text())

# class machinery, not API; __getattr__ only raises (a helpful AttributeError), and declaring it would make
# type checkers accept every misspelt attribute
NOT_API = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__slots__", "__annotations__",
           "__firstlineno__", "__static_attributes__", "__getattr__"}


def _class(tree: ast.Module, name: str) -> ast.ClassDef:
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)


def _declared(body: list) -> dict:
    """name -> "property", "method" or "attribute", as the stub declares it."""
    out = {}
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in node.decorator_list}
            if "property" in decorators or "setter" in decorators:
                out[node.name] = "property"
            else:
                out.setdefault(node.name, "method")  # overloads repeat the name
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = "attribute"
        elif isinstance(node, ast.Assign):
            out.update({t.id: "attribute" for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.ClassDef):
            out[node.name] = "class"
    return out


def _runtime(cls: type) -> dict:
    """name -> kind for everything the class (and its bases but object) defines at runtime."""
    out = {}
    for klass in reversed(cls.__mro__[:-1]):
        for name, value in vars(klass).items():
            if name in NOT_API:
                continue
            if isinstance(value, property):
                out[name] = "property"
            elif type(value).__name__ == "member_descriptor":  # a __slots__ entry
                out[name] = "attribute"
            else:
                out[name] = "method"
    return out


def test_every_runtime_tensor_name_is_in_the_stub():
    declared = _declared(_class(STUB, "Tensor").body)
    missing = sorted(set(_runtime(autograd.Tensor)) - set(declared) - {"__slots__"})
    assert not missing, f"autograd/tensor.pyi lacks these Tensor names (add them to the stub): {missing}"


def test_the_stub_declares_no_name_tensor_lacks():
    declared = _declared(_class(STUB, "Tensor").body)
    extra = sorted(set(declared) - set(_runtime(autograd.Tensor)) - {"__slots__"})
    assert not extra, f"autograd/tensor.pyi declares Tensor names that do not exist at runtime: {extra}"


def test_stub_and_runtime_agree_on_what_each_name_is():
    declared, runtime = _declared(_class(STUB, "Tensor").body), _runtime(autograd.Tensor)
    wrong = sorted(f"{n}: runtime {runtime[n]}, stub {declared[n]}" for n in set(declared) & set(runtime)
                   if runtime[n] != declared[n])
    assert not wrong, f"properties must be @property in the stub, slots attributes, methods defs: {wrong}"


def test_the_stub_declares_the_module_level_names_of_tensor_py():
    """tensor.py's own definitions (imports aside) are in the stub, and the stub adds none."""
    source = _declared(SOURCE.body)
    stub = _declared(STUB.body)
    assert sorted(set(source) - set(stub)) == [], "autograd/tensor.pyi lacks names tensor.py defines"
    assert sorted(set(stub) - set(source)) == [], "autograd/tensor.pyi declares names tensor.py does not define"
    for name in stub:
        assert hasattr(tensor_module, name), name


def test_the_size_helper_matches():
    stub = set(_declared(_class(STUB, "_Size").body)) - {"shape"}  # shape: set per instance in __new__
    runtime = set(vars(tensor_module._Size)) - NOT_API
    assert stub == runtime


def test_the_package_is_marked_typed():
    assert (ROOT / "py.typed").is_file()
