from . import portal
from . import feed
from . import booking
