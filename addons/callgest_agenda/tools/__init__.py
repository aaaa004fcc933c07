from . import slots
