from . import duret_sms_test_wizard, sms_composer
