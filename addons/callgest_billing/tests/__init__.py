from . import test_rating
