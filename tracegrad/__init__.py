"""tracegrad: the command line and reports that sit above autograd, nn, optim and viz."""
__version__ = "0.1.0"
