from . import test_rating
from . import test_tariff
