from . import mail_notification, res_company, res_config_settings, sms_sms
