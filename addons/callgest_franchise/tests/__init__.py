from . import test_franchise_routing
from . import test_franchise
from . import test_portal
