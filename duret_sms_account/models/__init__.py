from . import account_move, res_company, res_config_settings, sms_sms
