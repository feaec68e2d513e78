{
    "name": "Duret SMS - Salespeople",
    "summary": "Salespeople see and record their contacts' SMS consent",
    "version": "17.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Duret Électricité",
    "website": "https://www.duret-electricite.fr",
    "license": "LGPL-3",
    "maintainers": ["duret-electricite"],
    # sales_team holds Odoo's salesperson group (installed with CRM or Sales); duret_sms does
    # not depend on it, so the link between the two groups lives here.
    "depends": ["duret_sms", "sales_team"],
    "data": [
        "data/res_groups_data.xml",
    ],
    "installable": True,
    "auto_install": True,
}
