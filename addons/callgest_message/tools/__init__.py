from . import providers
from . import scheduling
