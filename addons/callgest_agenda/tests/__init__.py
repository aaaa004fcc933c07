from . import test_notices
