from . import test_onboarding_wizard
from . import test_lead_from_message
from . import test_ui
from . import test_languages
from . import test_onboarding_language
