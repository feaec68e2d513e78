"""Internal urgent SMS: who may create them, and telling the dispatcher when one has left.

*Internal urgent* skips the sending hours, so it is kept for the company's own people, from
the code paths meant to send it (urgent dispatch, cancellation alert to the technician, site
alerts of the bridges), and keyed on the number: the Urgent SMS Mobile an SMS officer
registered for that member of staff, held by no contact who is not staff. The opt-out list
applies to it as to every SMS (checked again by the gate at hand-over).
"""

from odoo import _

from ..core import phone

LEFT_STATES = ("pending", "sent")
FAILED_STATES = ("error", "canceled")


class UrgentAlertPath:
    """Context marker of the code paths meant to send internal urgent alerts (urgent dispatch,
    cancellation alert to the technician, site alerts of the bridges).

    A class, not a string: a context that arrives over RPC (JSON) can never hold it, so neither
    the SMS composer nor an RPC call can claim it.
    """


def urgent_alert_context():
    """The context an internal urgent alert is created with (``record.with_context(**...)``)."""
    return {"duret_sms_category": "internal_urgent", "duret_sms_urgent_path": UrgentAlertPath}


def may_send_urgent(env, partner_id, number):
    """Tell whether an internal urgent SMS to ``number`` for contact ``partner_id`` may be
    created in ``env`` (from an urgent alert path, see :func:`urgent_number_allowed`)."""
    if env.context.get("duret_sms_urgent_path") is not UrgentAlertPath:
        return False
    return urgent_number_allowed(env, env["res.partner"].browse(partner_id), number)


def urgent_number_allowed(env, partner, number, company=None):
    """Whether ``number`` may get an internal urgent SMS addressed to ``partner``.

    The contact is staff (an internal user's, or flagged by an SMS officer), ``number`` is the
    Urgent SMS Mobile an officer registered for them, and no contact who is not staff holds it
    (a customer's number never gets an alert at 03:00, whatever contact the SMS names).
    """
    if not partner or not number:
        return False
    partner = partner[:1]
    urgent = partner._duret_urgent_number(company)
    region = ((company or env.company).country_id.code or "FR").upper()
    if not urgent or phone.try_normalize(number, region=region) != urgent:
        return False
    if not partner._duret_is_staff():
        return False
    holders = env["res.partner"]._duret_number_holders(urgent)
    return all(holder._duret_is_staff() for holder in holders)


class UrgentSmsNotice:
    """Tell the member of staff who sent an urgent SMS (urgent dispatch) when it has left.

    The dispatch wizard only queues the SMS: Twilio is called after the transaction commits
    (see ``sms.sms._send``). The dispatcher, who may be on the phone with the customer, gets a
    notification in Odoo as soon as the SMS has left, or why it did not.
    """

    def __init__(self, env):
        self.env = env

    def notify(self, smss):
        """Send a notification to the (internal) user who created each of ``smss``."""
        for sms in smss:
            # create_uid may be the public user or the superuser (alerts sent by the web
            # page or a cron): only a person at their desk is told.
            user = sms.create_uid
            if not user.active or user.share:
                continue
            sms_lang = sms.with_context(lang=user.lang or "en_US")
            self.env["bus.bus"]._sendone(
                user.partner_id,
                "simple_notification",
                UrgentSmsNotice(sms_lang.env).notification(sms_lang),
            )

    def notification(self, sms):
        """The notification for ``sms``, in the language of this notice's environment."""
        sms.ensure_one()
        region = (self.env.company.country_id.code or "FR").upper()
        recipient = sms.partner_id.name or phone.display(sms.number, region)
        if sms.state in LEFT_STATES:
            return {
                "type": "success",
                "title": _("Urgent SMS sent"),
                "message": _("The urgent SMS to %(recipient)s has left.", recipient=recipient),
            }
        return {
            "type": "danger",
            "sticky": True,
            "title": _("Urgent SMS not sent"),
            "message": _(
                "The urgent SMS to %(recipient)s was not sent: %(reason)s Call them instead.",
                recipient=recipient,
                reason=sms.duret_failure_reason or _("unknown reason."),
            ),
        }
