from . import (
    duret_sms_consent_wizard,
    duret_sms_dispatch_wizard,
    duret_sms_dispatch_wizard_line,
    duret_sms_optout_lift_wizard,
    duret_sms_test_wizard,
    sms_composer,
    sms_resend,
)
