"""Classify an inbound SMS reply: opt-out, opt-in, cancel, confirm, help or other.

The whole message is compared with known replies after normalisation (case, accents,
punctuation, whitespace, doubled letters, polite words around the keyword). A keyword inside a
longer sentence is "other": a person reads it in the inbox, because acting on a guess (cancelling
an appointment, blacklisting a number) costs more than a human look.

Hard cases, decided here:
- "CANCEL" is an opt-out: it is a Twilio default opt-out keyword, so Twilio has already blocked
  the number (error 21610 on the next send); Odoo must mirror that, not cancel an appointment.
  French customers cancel with ANNULE/ANNULER or the link in the SMS.
- "YES" is an opt-in: Twilio re-subscribes the number on YES, and Odoo mirrors Twilio's state.
  "OUI" (not a Twilio keyword) is the confirmation. A caller that knows the number was not opted
  out may still read an opt-in as a confirmation; this module has no such context.
- "NON", "non merci": "other". No to what? Cancelling or blacklisting on an ambiguous word is
  worse than letting the office call back.
- "STOP", "Stop.", "stop sms", "stop merci": opt-out. "Arrêtez de m'appeler" is about calls and
  is a sentence: "other" (an opt-out must be explicit: it also stops appointment reminders).
- "pas dispo", "Je ne pourrai pas venir": "other". The customer wants another slot, not
  necessarily a cancellation; the office reschedules.
- A message made only of approval emoji (👍 👌 ✅, any skin tone): confirm, the usual mobile
  "yes". Next to words, emoji are ignored like punctuation ("Oui 👍" is confirm).
- An empty body (an MMS with only a picture, blank text): "other".
"""

import re
import unicodedata

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
CANCEL = "cancel"
CONFIRM = "confirm"
HELP = "help"
OTHER = "other"

# Comma-separated, written as people type them; normalised with the bodies they are matched to.
_REPLIES = {
    # Twilio's default opt-out keywords come first: they are already effective at Twilio.
    OPT_OUT: """STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE,
        STOP SMS, STOP LES SMS, STOP PUB, STOP MESSAGES, ARRÊT, ARRÊTE, ARRÊTEZ, ARRÊTER,
        ARRÊT SMS, ARRÊTEZ LES SMS, ARRÊTER LES SMS, PLUS DE SMS, DÉSABONNER, DÉSABONNEMENT,
        DÉSABONNEZ-MOI, ME DÉSABONNER, JE VEUX ME DÉSABONNER, DÉSINSCRIRE, DÉSINSCRIPTION,
        DÉSINSCRIVEZ-MOI, ME DÉSINSCRIRE, JE VEUX ME DÉSINSCRIRE""",
    OPT_IN: "START, UNSTOP, YES, START SMS, RÉABONNER, ME RÉABONNER, RÉABONNEMENT",
    CANCEL: """ANNULE, ANNULER, ANNULEZ, ANNULATION, J'ANNULE, RDV ANNULÉ, JE VEUX ANNULER,
        JE SOUHAITE ANNULER, JE VOUDRAIS ANNULER, JE DOIS ANNULER, ANNULER LE RDV, ANNULER RDV,
        ANNULER MON RDV, ANNULEZ LE RDV, ANNULEZ MON RDV, ANNULATION RDV, ANNULATION DU RDV,
        ANNULER LE RENDEZ-VOUS, ANNULATION DU RENDEZ-VOUS""",
    CONFIRM: """OUI, OUAIS, OK, OKAY, OKI, D'ACCORD, DAC, CONFIRMÉ, CONFIRMER, CONFIRMATION,
        JE CONFIRME, OUI JE CONFIRME, C'EST CONFIRMÉ, RDV CONFIRMÉ, OUI OK, OK OUI, C'EST BON,
        OUI C'EST BON, C'EST OK, OK POUR MOI, PARFAIT, ENTENDU, ÇA MARCHE, ÇA ME VA,
        C'EST NOTÉ, BIEN REÇU, TRÈS BIEN, JE SERAI LÀ, OUI JE SERAI LÀ, PRÉSENT""",
    HELP: "AIDE, HELP, INFO, INFOS",
}

# Stripped from both ends before matching, so "annule svp" or "Bonjour, oui merci" still match.
_POLITE = """BONJOUR, BONSOIR, SALUT, MERCI, MERCI BEAUCOUP, MRC, SVP, STP, S'IL VOUS PLAÎT,
    S'IL TE PLAÎT, PLEASE, THANKS, CORDIALEMENT, BIEN CORDIALEMENT, BONNE JOURNÉE,
    BONNE SOIRÉE, À DEMAIN, À BIENTÔT, MADAME, MONSIEUR"""

# Approval emoji: only meaningful when they are the whole message (see module docstring).
_APPROVAL_EMOJI = re.compile("^(?:[\U0001f44d\U0001f44c\u2705\U0001f3fb-\U0001f3ff\ufe0f]|\\s)+$")
_LIGATURES = str.maketrans({"Œ": "OE", "Æ": "AE", "Ø": "O", "Ð": "D", "Þ": "TH"})
_DOUBLED = re.compile(r"(.)\1+")


def normalize(body):
    """Return ``body`` as uppercase ASCII words separated by single spaces.

    Accents are removed (É → E, Œ → OE), everything that is not a letter or digit (punctuation,
    apostrophes, emoji) becomes a separator. ``None`` gives "".
    """
    text = unicodedata.normalize("NFKD", body or "").upper().translate(_LIGATURES)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^A-Z0-9]+", " ", text.encode("ascii", "ignore").decode()).strip()


def _words(text):
    """Normalised words with doubled letters collapsed ("OUIII", "ANNULLER", "STOPP")."""
    return [_DOUBLED.sub(r"\1", word) for word in normalize(text).split()]


_POLITE_WORDS = sorted((tuple(_words(p)) for p in _POLITE.split(",")), key=len, reverse=True)


def _key(text):
    """Matching key: words without polite ends or consecutive repeats, joined without spaces."""
    words = _words(text)
    stripped = True
    while stripped and words:
        stripped = False
        for polite in _POLITE_WORDS:
            n = len(polite)
            if tuple(words[:n]) == polite:
                words, stripped = words[n:], True
            elif tuple(words[-n:]) == polite:
                words, stripped = words[:-n], True
    words = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]  # "oui oui"
    return "".join(words)


def _build_table():
    table = {}
    for category, phrases in _REPLIES.items():
        for phrase in phrases.split(","):
            key = _key(phrase)
            if table.setdefault(key, category) != category:
                raise ValueError(f"Reply {phrase!r} is listed under two categories")
    return table


_TABLE = _build_table()


def classify(body):
    """Return the category of an inbound SMS body: one of the six module constants.

    Never raises: anything not recognised (including an empty body) is ``OTHER``.
    """
    body = body or ""
    key = _key(body)
    if not key:
        return CONFIRM if body.strip() and _APPROVAL_EMOJI.match(body) else OTHER
    return _TABLE.get(key, OTHER)
