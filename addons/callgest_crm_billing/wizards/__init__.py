from . import callgest_onboarding_wizard
