from . import (
    test_compliance,
    test_dispatch_wizard,
    test_hardening,
    test_hardening_http,
    test_inbound,
    test_rdv_pages,
    test_reliability,
    test_reminders,
    test_settings,
    test_status_callback,
    test_twilio_transport,
)
