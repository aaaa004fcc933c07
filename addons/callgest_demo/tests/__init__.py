from . import test_spanish_vat
from . import test_demo_company
