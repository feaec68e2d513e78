"""One company's failing SMS cron never blocks another's, and says why in Settings.

``res.company._duret_sms_run_isolated`` is the entry point; the crons of ``sms.sms``,
``calendar.attendee``, ``res.users`` and the bridges call it, and commit their batches with
:func:`cron_commit`.
"""

import logging
import threading

from odoo import _, fields
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


def in_test_transaction():
    """Odoo tests run in one transaction that must never be committed nor rolled back."""
    return getattr(threading.current_thread(), "testing", False)


def cron_commit(env):
    """Make what a cron did so far durable: the work a later error undoes starts here.

    A commit; in tests (never committed), a savepoint that the per-company error isolation of
    :meth:`CompanyCronRunner.run` rolls back to, so tests see what production keeps.
    """
    cr = env.cr
    if not in_test_transaction():
        cr.commit()  # pylint: disable=invalid-commit  # crons only: the caller's unit of work
        return
    savepoint = getattr(cr, "_duret_cron_savepoint", None)
    if savepoint is not None and not savepoint.closed:
        savepoint.close(rollback=False)
        cr._duret_cron_savepoint = cr.savepoint()


class CompanyCronRunner:
    """Runs an SMS task company by company and records each company's last error on it
    (fields ``duret_sms_cron_error*`` of ``res.company``, shown in Settings)."""

    def __init__(self, env):
        self.env = env

    def task_label(self, task):
        return {
            "queue": _("Sending queue"),
            "reminders": _("Appointment reminders"),
            "briefings": _("Technician briefings"),
            "prices": _("Twilio prices and statuses"),
            "retention": _("History retention"),
            "dunning": _("Invoice dunning"),
        }.get(task, task)

    def run(self, companies, task, func, on_error=None):
        """Run ``func(company)`` for each of ``companies``, each in its own unit of work.

        An exception in one company undoes what that company did since its last
        :func:`cron_commit` (a rollback; in tests, a savepoint), is logged with its traceback,
        recorded on the company (shown in Settings) and followed by ``on_error(company,
        error)``; the next company runs as if nothing happened. A company that runs without
        error clears its recorded error of the same ``task``.

        Returns ``{company: func's result}`` for the companies that did not fail.
        """
        cr = self.env.cr
        results = {}
        for company in companies:
            if in_test_transaction():
                cr._duret_cron_savepoint = cr.savepoint()
            try:
                results[company] = func(company)
                cron_commit(self.env)
            except Exception as error:  # noqa: BLE001 - cron boundary: logged and recorded
                if in_test_transaction():
                    cr._duret_cron_savepoint.close(rollback=True)
                else:
                    cr.rollback()
                if isinstance(error, UserError):  # a configuration to fix, not a bug
                    _logger.warning("SMS task %s of company %s: %s", task, company.id, error)
                else:
                    _logger.exception("SMS task %s failed for company %s", task, company.id)
                self.record_error(company, task, error)
                if on_error:
                    on_error(company, error)
                cron_commit(self.env)
            else:
                self.record_error(company, task, None)
            finally:
                if in_test_transaction():
                    cr._duret_cron_savepoint.close(rollback=False)
                    cr._duret_cron_savepoint = None
        return results

    def record_error(self, company, task, error):
        """Record (or clear, ``error`` None) why ``task`` failed for ``company``."""
        company.ensure_one()
        company_sudo = company.sudo()  # the cron's user may not write companies; only these fields
        if error is None:
            if company_sudo.duret_sms_cron_error_task == task:
                company_sudo.write(
                    {
                        "duret_sms_cron_error": False,
                        "duret_sms_cron_error_task": False,
                        "duret_sms_cron_error_at": False,
                    }
                )
            return
        if isinstance(error, UserError):
            reason = str(error.args[0] if error.args else error)
        else:
            detail = f"{type(error).__name__}: {error}"[:300]
            reason = _(
                "Technical error (%(error)s): see the server log, or contact your Odoo "
                "partner if it happens again.",
                error=detail,
            )
        company_sudo.write(
            {
                "duret_sms_cron_error": _(
                    "%(task)s: %(reason)s", task=self.task_label(task), reason=reason
                ),
                "duret_sms_cron_error_task": task,
                "duret_sms_cron_error_at": fields.Datetime.now(),
            }
        )
