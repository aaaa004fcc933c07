from . import phone_numbers
from . import phone_validation
from . import rpc_args
from . import company_dependent
from . import sql_rows
