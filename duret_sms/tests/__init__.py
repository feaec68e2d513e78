from . import (
    test_compliance,
    test_demo_data,
    test_dispatch_wizard,
    test_inbound,
    test_rdv_pages,
    test_reminders,
    test_settings,
    test_sms_api_compat,
    test_status_callback,
    test_twilio_transport,
)
