"""viz: backprop graphs, gradient flow per layer, landscapes and curves, drawn from ``autograd.Graph``
and ``autograd.tracing`` (its own issue builds it; the engine side is ready)."""
