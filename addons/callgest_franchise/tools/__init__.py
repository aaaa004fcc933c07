"""Plain-Python franchise routing, shared by the models and the tests."""

from . import franchise_routing
