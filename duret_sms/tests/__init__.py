from . import (
    test_compliance,
    test_dispatch_wizard,
    test_inbound,
    test_rdv_pages,
    test_reminders,
    test_reporting,
    test_settings,
    test_short_link,
    test_status_callback,
    test_twilio_figures,
    test_twilio_transport,
    test_visit_tour,
)
