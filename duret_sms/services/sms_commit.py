"""Writing what Twilio answered about one SMS in a transaction of its own (queue and price
cron), again on a fresh snapshot when a concurrent transaction collides with it."""

import logging
import random
import time

from psycopg2 import errors as pg_errors

_logger = logging.getLogger(__name__)

# What a concurrent transaction (a status callback, another queue run) can make a claim or an
# answer's write fail with; both are then tried again on a fresh snapshot.
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
CONCURRENCY_ATTEMPTS = 5


def write_committed(sms_model, sms_id, write):
    """Run ``write(sms)`` on SMS ``sms_id`` in a transaction of its own and commit it, again on
    a fresh snapshot when it collides with a concurrent update (outside tests).

    :param sms_model: an ``sms.sms`` recordset giving the environment (cursor, sudo, language).
    Returns True once committed; False after ``CONCURRENCY_ATTEMPTS`` collisions (logged).
    """
    cr = sms_model.env.cr
    for attempt in range(CONCURRENCY_ATTEMPTS):
        try:
            sms = sms_model.browse(sms_id).exists()
            if sms:
                write(sms)
                sms.mail_message_id._notify_message_notification_update()
            cr.commit()  # pylint: disable=invalid-commit  # one answer per commit
            return True
        except CONCURRENCY_ERRORS as error:
            cr.rollback()
            _logger.info("SMS %s: write collided (%s), retrying", sms_id, error)
            time.sleep(random.uniform(0.5, 1.0) * 0.05 * 2**attempt)
    _logger.error(
        "SMS %s: could not record Twilio's answer after %s attempts; the delivery report "
        "or the stale hand-over check settles it",
        sms_id,
        CONCURRENCY_ATTEMPTS,
    )
    return False
