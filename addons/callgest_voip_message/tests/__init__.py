from . import test_missed_call_report
