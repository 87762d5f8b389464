"""Data sets: base (Batch, DataSource, DataSpec, the registry of kinds), toy, images, domains.
Importing the package registers every kind; `make_data(config.data)` builds one."""
from . import domains, images, toy  # noqa: F401  (registration of the data kinds)
from .base import Batch, DataSource, DataSpec, SpecOnly, make_data  # noqa: F401
