from . import test_franchise_billing
from . import test_portal
