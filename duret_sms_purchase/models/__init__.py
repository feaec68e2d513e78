from . import purchase_order, res_company, res_config_settings
