from . import phone_numbers
from . import phone_validation
