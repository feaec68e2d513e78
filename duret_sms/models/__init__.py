from . import (
    calendar_attendee,
    calendar_event,
    duret_sms_reply,
    mail_notification,
    mail_thread,
    phone_blacklist,
    res_company,
    res_config_settings,
    res_partner,
    res_users,
    sms_sms,
    sms_template,
)
