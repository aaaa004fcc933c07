from . import callgest_call_console
from . import callgest_message
