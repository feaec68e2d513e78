"""Issue 17, item 7: the request lines of Odoo's HTTP server carry no customer token, whatever
the public route and the token's alphabet (real requests through the test server, whose
werkzeug handler logs them as in production)."""

import logging
import secrets

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestAccessLogHasNoToken(HttpCase):
    def test_request_lines_of_public_routes_hold_no_token(self):
        hex_token = secrets.token_hex(16)  # attendee access_token, SMS uuid
        short_token = "Ab-_" + secrets.token_urlsafe(9)  # base64url, - and _ included
        requests = [
            ("GET", f"/rdv/{hex_token}", hex_token),
            ("POST", f"/rdv/confirm/{hex_token}", hex_token),
            ("POST", f"/rdv/cancel/{hex_token}", hex_token),
            ("GET", f"/v/{short_token}", short_token),
            ("GET", f"/r/{short_token}", short_token),
            ("GET", f"/sms/optout/{hex_token}", hex_token),
            ("POST", f"/twilio/sms/status/{hex_token}", hex_token),
            ("GET", f"/web/login?access_token={short_token}", short_token),
        ]
        for method, path, token in requests:
            # logging.INFO, not "INFO": Odoo names its level 25 (RUNBOT) "INFO" as well.
            with self.subTest(path=path), self.assertLogs("werkzeug", logging.INFO) as logs:
                # Unknown tokens: the pages answer 403/404, and the line is logged all the same.
                data = {"x": "1"} if method == "POST" else None
                self.url_open(path, data=data, allow_redirects=False)
            lines = "\n".join(logs.output)
            self.assertIn(path.split("?")[0].rsplit("/", 1)[0] + "/", lines)
            self.assertNotIn(token, lines)
            self.assertIn("***", lines)
