from . import test_phone_numbers
from . import test_client
from . import test_ddi
from . import test_ddi_assign_wizard
from . import test_holidays
from . import test_security
from . import test_ui
