from . import callgest_call_detail_report
