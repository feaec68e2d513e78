{
    "name": "Duret SMS - Invoices",
    "summary": "Polite dunning SMS for customer invoices still unpaid after their due date",
    "version": "17.0.1.0.1",
    "category": "Accounting/Accounting",
    "author": "Duret Électricité",
    "website": "https://www.duret-electricite.fr",
    "license": "LGPL-3",
    "maintainers": ["duret-electricite"],
    "depends": ["duret_sms", "account"],
    "data": [
        "data/sms_template_data.xml",
        "data/ir_cron_data.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
