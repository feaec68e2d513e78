"""ORM-side services: plain classes the models call (as Odoo's sms calls SmsApi in tools/)."""
