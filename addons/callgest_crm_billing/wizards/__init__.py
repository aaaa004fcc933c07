from . import callgest_onboarding_wizard
from . import callgest_quote_wizard
