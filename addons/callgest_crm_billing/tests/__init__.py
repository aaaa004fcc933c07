from . import test_onboarding_fees
from . import test_deposit
from . import test_ui
from . import test_quote
