from . import callgest_protocol
from . import callgest_protocol_version
from . import callgest_protocol_lines
from . import callgest_protocol_change_request
from . import callgest_protocol_call_type
from . import callgest_protocol_question
from . import callgest_protocol_snippet
