from . import test_cdr_parsers
from . import test_cdr_import
from . import test_quality_report
from . import test_missed_call_report
from . import test_recording_retention
from . import test_cdr_generator
from . import test_queue_log
from . import test_ui
