from . import cdr_parsers
