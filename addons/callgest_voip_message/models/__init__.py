from . import callgest_missed_call_report
