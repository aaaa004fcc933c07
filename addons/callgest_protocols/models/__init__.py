from . import callgest_protocol
from . import callgest_protocol_version
from . import callgest_protocol_lines
from . import callgest_protocol_change_request
