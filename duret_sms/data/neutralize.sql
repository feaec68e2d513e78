-- Staging copies (odoo-bin neutralize / odoo.sh): never send real SMS, forget the secret.
UPDATE res_company
   SET duret_sms_provider = 'sandbox', twilio_auth_token = NULL
 WHERE duret_sms_provider = 'twilio' OR twilio_auth_token IS NOT NULL;
