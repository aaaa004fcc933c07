"""Plain-Python billing helpers, shared by the models and the tests."""

from . import rating
