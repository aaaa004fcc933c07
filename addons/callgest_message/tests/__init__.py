from . import test_scheduling
from . import test_providers
from . import test_message
from . import test_incident
from . import test_recipient
from . import test_delivery
from . import test_ui
from . import test_delivery_kill
