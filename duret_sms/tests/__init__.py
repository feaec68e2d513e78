from . import (
    test_compliance,
    test_composer_preview,
    test_dispatch_wizard,
    test_inbound,
    test_partner_consent,
    test_rdv_pages,
    test_reminder_followup,
    test_reminders,
    test_settings,
    test_sms_templates,
    test_status_callback,
    test_twilio_transport,
)
