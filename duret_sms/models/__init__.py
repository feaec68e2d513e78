from . import mail_notification, res_company, res_config_settings, res_partner, sms_sms
