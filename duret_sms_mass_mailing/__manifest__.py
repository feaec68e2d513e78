{
    "name": "Duret SMS - SMS Marketing",
    "summary": "SMS Marketing campaigns follow the rules of commercial SMS",
    "version": "17.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "author": "Duret Électricité",
    "website": "https://www.duret-electricite.fr",
    "license": "LGPL-3",
    "maintainers": ["duret-electricite"],
    "depends": ["duret_sms", "mass_mailing_sms"],
    "data": [
        "data/res_groups_data.xml",
        "views/mailing_mailing_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
