{
    "name": "Duret SMS - Purchase",
    "summary": "SMS the site manager when an urgent purchase order is confirmed",
    "version": "17.0.1.1.0",
    "category": "Inventory/Purchase",
    "author": "Duret Électricité",
    "website": "https://www.duret-electricite.fr",
    "license": "LGPL-3",
    "maintainers": ["duret-electricite"],
    "depends": ["duret_sms", "purchase"],
    "data": [
        "data/sms_template_data.xml",
        "views/purchase_order_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
