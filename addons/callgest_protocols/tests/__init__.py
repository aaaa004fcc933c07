from . import test_routing
from . import test_protocol
from . import test_change_request
from . import test_call_types
from . import test_portal
