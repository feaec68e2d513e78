"""Benchmark: how many day-before reminders fit one SMS segment, and what that saves a year.

Run against a database with duret_sms installed; it writes nothing (everything is rolled back):

    PYTHONPATH=/opt/odoo17 .venv/bin/python benchmarks/bench_reminder_segments.py \
        -c var/odoo-test.conf -d <db> [--base-url https://erp.duret-electricite.fr] \
        [--price 0.08] [--reminders 2000]

It books one appointment for each of 48 customers of its own (people, businesses, town halls;
accents, long street names, hyphenated towns, free-text places), renders the default reminder
(``sms_template_appointment_reminder``) and the fuller one
(``sms_template_appointment_reminder_full``) through Odoo's own template rendering and the real
computed fields, counts GSM-7 segments with ``duret_sms.core.encoding`` (Twilio's rules), and
prints how many fit one segment (goal >= 90 %, none over two) and the yearly saving of the
default over the fuller text at ``--reminders`` reminders and ``--price`` per segment.

Then the visit's other texts (issue 19: booking confirmation, same-morning reminder, en route
and its new arrival time, thank-you), rendered as they are sent (field placeholders only), for
the same customers: each must fit one GSM-7 segment for at least 90 % of them.
"""

import argparse
from collections import Counter
from datetime import datetime, timedelta

import odoo
from odoo import SUPERUSER_ID, Command, api

# (name, street, zip, city, appointment place or "")
CUSTOMERS = [
    ("Mairie de Tassin", "1 place Hippolyte Péragut", "69160", "Tassin-la-Demi-Lune", ""),
    ("Camille Martin", "12 rue des Lilas", "69003", "Lyon", ""),
    ("François Lefèvre-Châtelet", "3 place de l'Hôtel de Ville", "38000", "Grenoble", ""),
    ("Boulangerie Au Bon Pain", "45 avenue Jean Jaurès", "69007", "Lyon", ""),
    ("Hélène Ducrocq", "8 boulevard des Belges", "69006", "Lyon", ""),
    ("SCI Les Terrasses du Parc", "27 chemin de la Garenne", "69130", "Écully", ""),
    ("Jean-Baptiste Ngoma", "102 route de Vienne", "69008", "Lyon", ""),
    ("Maëlys Rousseau", "5 impasse des Tilleuls", "69570", "Dardilly", ""),
    ("Garage Moderne Villeurbannais", "210 cours Émile Zola", "69100", "Villeurbanne", ""),
    ("Éloïse Bérard", "14 allée des Cerisiers", "69290", "Craponne", ""),
    ("Mohamed Benali", "33 rue du Professeur Beauvisage", "69008", "Lyon", ""),
    ("Résidence Les Glycines", "4 rue de la République", "69800", "Saint-Priest", ""),
    ("Pharmacie du Centre", "2 place de la Libération", "69110", "Sainte-Foy-lès-Lyon", ""),
    ("Anne-Sophie de La Tour d'Auvergne", "18 quai Saint-Vincent", "69001", "Lyon", ""),
    ("Lucas Petit", "7 rue Victor Hugo", "69002", "Lyon", ""),
    ("Nathalie Giraud", "91 avenue du Général de Gaulle", "69300", "Caluire-et-Cuire", ""),
    ("Copropriété Le Belvédère", "56 montée de Choulans", "69005", "Lyon", ""),
    ("Thérèse Moreau", "11 chemin du Moulin à Vent", "69160", "Tassin-la-Demi-Lune", ""),
    ("Restaurant Le Bouchon des Filles", "20 rue Sergent Blandan", "69001", "Lyon", ""),
    ("Kévin Lambert", "3 lotissement Les Hauts de Brindas", "69126", "Brindas", ""),
    ("Agnès Fontaine", "125 route de Saint-Didier", "69570", "Dardilly", ""),
    ("EHPAD Les Jardins d'Ambroise", "9 rue du Docteur Edmond Locard", "69005", "Lyon", ""),
    ("Paul-Henri Chassagne", "1 bis rue Pasteur", "69250", "Neuville-sur-Saône", ""),
    ("Inès Haddad", "47 boulevard Pinel", "69500", "Bron", ""),
    ("Cabinet Dentaire Bellecour", "6 place Bellecour", "69002", "Lyon", ""),
    ("Bernard Lacroix", "15 chemin des Écoliers", "69340", "Francheville", ""),
    ("Sophie Nguyen", "28 rue Garibaldi", "69006", "Lyon", ""),
    ("École Maternelle Jean Macé", "", "", "", "Groupe scolaire Jean Macé, 69007 Lyon"),
    ("Gérard Perrin", "2 impasse du Stade", "69630", "Chaponost", ""),
    ("Zoé Marchand", "71 avenue Lacassagne", "69003", "Lyon", ""),
    ("Menuiserie Bois & Fils", "ZI du Broteau, 12 rue Antoine Becquerel", "69720", "Genas", ""),
    ("Yves Le Goff", "19 rue de la Charité", "69002", "Lyon", ""),
    ("Clémence Aubert", "40 grande rue de la Croix-Rousse", "69004", "Lyon", ""),
    (
        "Mairie de Saint-Genis-les-Ollières",
        "5 place de la Mairie",
        "69290",
        "Saint-Genis-les-Ollières",
        "",
    ),
    ("Olivier Fabre", "8 rue des Tuileries", "69009", "Lyon", ""),
    ("Laetitia Ferreira", "60 avenue Félix Faure", "69003", "Lyon", ""),
    (
        "Association Sportive Monplaisir",
        "",
        "",
        "",
        "Gymnase Monplaisir, 25 rue Saint-Maurice, 69008 Lyon",
    ),
    ("Hugo Blanc", "3 chemin de Crécy", "69370", "Saint-Didier-au-Mont-d'Or", ""),
    ("Chantal Roux", "17 avenue de la Libération", "69260", "Charbonnières-les-Bains", ""),
    ("Hôtel des Célestins", "4 rue des Archers", "69002", "Lyon", ""),
    ("Ahmed Cherif", "230 rue Paul Bert", "69003", "Lyon", ""),
    ("Monique Vidal", "9 place Carnot", "69002", "Lyon", ""),
    (
        "Syndic Foncia Lyon Est",
        "",
        "",
        "",
        "Résidence Le Parc, bâtiment C, 14 rue Jean Moulin, 69120 Vaulx-en-Velin",
    ),
    ("Julien Mercier", "52 boulevard de la Croix-Rousse", "69001", "Lyon", ""),
    ("Crèche Les P'tits Loups", "31 rue Duguesclin", "69006", "Lyon", ""),
    ("Pierre-Antoine Dubois-Lemaire", "150 route de Lyon", "69390", "Vourles", ""),
    ("Océane Girard", "6 allée Pierre de Coubertin", "69007", "Lyon", ""),
    ("Brasserie Georges", "30 cours de Verdun Perrache", "69002", "Lyon", ""),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--base-url", default="https://erp.duret-electricite.fr")
    parser.add_argument("--price", type=float, default=0.08, help="per segment, in euros")
    parser.add_argument("--reminders", type=int, default=2000, help="reminders a year")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every SMS")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.registry(args.database)

    from odoo.addons.duret_sms.core import encoding

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["ir.config_parameter"].set_param("web.base.url", args.base_url)
        company = env.company
        company.write({"name": "Duret Électricité", "phone": "04 78 12 34 56"})
        technician = env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "bench.segments.technician",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
            }
        )
        fr = env.ref("base.fr")
        partners = env["res.partner"].create(
            [
                {
                    "name": name,
                    "street": street,
                    "zip": zip_code,
                    "city": city,
                    "country_id": fr.id,
                    "mobile": f"06 12 34 {i // 100:02d} {i % 100:02d}",
                }
                for i, (name, street, zip_code, city, _place) in enumerate(CUSTOMERS)
            ]
        )
        # Every weekday and half-hour of a week, so long day names count too.
        first = datetime(2026, 12, 7, 7, 30)  # Monday 08:30 Paris
        events = (
            env["calendar.event"]
            .with_context(no_mail_to_attendees=True)
            .create(
                [
                    {
                        "name": "Intervention",
                        "start": first + timedelta(days=i % 5, minutes=30 * (i % 18)),
                        "stop": first + timedelta(days=i % 5, minutes=30 * (i % 18) + 60),
                        "user_id": technician.id,
                        "location": place or False,
                        "partner_ids": [Command.set([partner.id, technician.partner_id.id])],
                    }
                    for i, (partner, (*_address, place)) in enumerate(
                        zip(partners, CUSTOMERS, strict=True)
                    )
                ]
            )
        )
        attendees = events.attendee_ids.filtered(lambda a: a.partner_id in partners)
        attendees._duret_ensure_short_token()
        results = {}
        for xmlid in (
            "duret_sms.sms_template_appointment_reminder",
            "duret_sms.sms_template_appointment_reminder_full",
        ):
            bodies = env.ref(xmlid)._render_field("body", attendees.ids, compute_lang=False)
            analyses = [encoding.analyze(bodies[a.id]) for a in attendees]
            results[xmlid] = analyses
            counts = Counter(analysis.segments for analysis in analyses)
            lengths = [analysis.units for analysis in analyses]
            print(f"\n{xmlid}")
            print(
                f"  {len(analyses)} reminders: "
                + ", ".join(f"{n} x {s} segment(s)" for s, n in sorted(counts.items()))
                + f"; {counts[1] * 100 // len(analyses)} % in one segment"
                + f"; length {min(lengths)}-{max(lengths)} (GSM-7 units)"
                + f"; encodings {sorted({a.encoding for a in analyses})}"
            )
            if args.verbose:
                for analysis in analyses:
                    print(f"    [{analysis.segments}] {analysis.units:3d} {analysis.text}")
        with_street = sum(any(c.isdigit() for c in a.duret_rdv_where) for a in attendees)
        print(
            f"\nPlace in the default text: street and town for {with_street} of "
            f"{len(attendees)}, the town alone for the others (full address on the page)."
        )
        short, full = results.values()
        short_segments = sum(a.segments for a in short) / len(short)
        full_segments = sum(a.segments for a in full) / len(full)
        saving = (full_segments - short_segments) * args.reminders * args.price
        print(
            f"\nAverage segments: {short_segments:.2f} (default) vs {full_segments:.2f} (full)."
            f"\nAt {args.reminders} reminders a year and {args.price:.2f} EUR a segment: "
            f"{short_segments * args.reminders * args.price:.0f} EUR instead of "
            f"{full_segments * args.reminders * args.price:.0f} EUR, "
            f"saving {saving:.0f} EUR a year."
        )
        one = sum(a.segments == 1 for a in short) / len(short)
        worst = max(a.segments for a in short)
        met = "MET" if one >= 0.9 and worst <= 2 else "NOT MET"
        print(f"Goal (>= 90 % in one segment, none over two): {met}")
        visit_texts_fit = bench_visit_texts(env, events, attendees, args.verbose)
        print(f"Visit texts (each in one segment for >= 90 %): {visit_texts_fit}")
        cr.rollback()


VISIT_TEMPLATES = (
    "duret_sms.sms_template_booking_confirmation",
    "duret_sms.sms_template_same_day_reminder",
    "duret_sms.sms_template_en_route",
    "duret_sms.sms_template_en_route_update",
    "duret_sms.sms_template_visit_thank_you",
)


def bench_visit_texts(env, events, attendees, verbose=False):
    """The visit's other texts (issue 19) for the same customers: "MET" when each default
    text fits one GSM-7 segment for at least 90 % of them."""
    from odoo.addons.duret_sms.core import encoding

    # An announced arrival for the en-route texts, 25 minutes after each start.
    for event in events:
        event.duret_en_route_eta = event.start - timedelta(minutes=35)
    met = True
    for xmlid in VISIT_TEMPLATES:
        bodies = env["sms.template"]._duret_render(xmlid, attendees, lambda a: "")
        analyses = [encoding.analyze(bodies[a.id]) for a in attendees]
        counts = Counter(analysis.segments for analysis in analyses)
        lengths = [analysis.units for analysis in analyses]
        share = counts[1] * 100 // len(analyses)
        print(
            f"\n{xmlid}\n  {len(analyses)} texts: "
            + ", ".join(f"{n} x {s} segment(s)" for s, n in sorted(counts.items()))
            + f"; {share} % in one segment; length {min(lengths)}-{max(lengths)}"
            + f"; encodings {sorted({a.encoding for a in analyses})}"
        )
        if verbose:
            for analysis in analyses:
                print(f"    [{analysis.segments}] {analysis.units:3d} {analysis.text}")
        met = met and share >= 90
    return "MET" if met else "NOT MET"


if __name__ == "__main__":
    main()
