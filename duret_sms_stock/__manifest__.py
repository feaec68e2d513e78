{
    "name": "Duret SMS - Receipts",
    "summary": "SMS the site manager when the material of a purchase order is received",
    "version": "17.0.1.0.0",
    "category": "Inventory/Inventory",
    "author": "Duret Électricité",
    "website": "https://www.duret-electricite.fr",
    "license": "LGPL-3",
    "maintainers": ["duret-electricite"],
    # The site manager is on the purchase order (duret_sms_purchase) and a receipt knows its
    # order through purchase_stock: without purchases, a receipt has no one to tell.
    "depends": ["duret_sms_purchase", "purchase_stock"],
    "data": [
        "data/sms_template_data.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
