from . import test_compliance, test_settings, test_status_callback, test_twilio_transport
from . import test_dispatch_wizard
from . import test_inbound
