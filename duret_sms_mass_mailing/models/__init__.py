from . import mailing_mailing, mailing_trace, sms_sms
