from . import callgest_cdr_import_wizard
