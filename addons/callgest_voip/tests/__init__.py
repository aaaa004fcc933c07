from . import test_cdr_parsers
