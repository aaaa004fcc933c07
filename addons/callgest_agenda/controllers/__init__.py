from . import portal
from . import feed
