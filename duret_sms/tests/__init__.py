from . import test_settings, test_status_callback, test_twilio_transport
