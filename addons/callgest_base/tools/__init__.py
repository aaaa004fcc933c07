from . import phone_numbers
