from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    callgest_telegram_base_url = fields.Char(
        string="Telegram API URL",
        config_parameter="callgest_message.telegram_base_url",
        default="https://api.telegram.org",
    )
    callgest_telegram_bot_token = fields.Char(
        string="Telegram bot token",
        config_parameter="callgest_message.telegram_bot_token",
    )
    callgest_sms_url = fields.Char(
        string="SMS gateway URL", config_parameter="callgest_message.sms_url"
    )
    callgest_sms_method = fields.Selection(
        [("POST", "POST"), ("GET", "GET")],
        string="SMS method",
        config_parameter="callgest_message.sms_method",
        default="POST",
    )
    callgest_sms_content_type = fields.Selection(
        [
            ("application/json", "JSON"),
            ("application/x-www-form-urlencoded", "Form"),
        ],
        string="SMS body format",
        config_parameter="callgest_message.sms_content_type",
        default="application/json",
    )
    callgest_sms_body_template = fields.Char(
        string="SMS body template",
        config_parameter="callgest_message.sms_body_template",
        help="With {to}, {text} and {sender}; for GET, put them in the URL.",
    )
    callgest_sms_auth_type = fields.Selection(
        [("none", "None"), ("basic", "Basic"), ("bearer", "Bearer token")],
        string="SMS authentication",
        config_parameter="callgest_message.sms_auth_type",
        default="none",
    )
    callgest_sms_username = fields.Char(
        string="SMS user", config_parameter="callgest_message.sms_username"
    )
    callgest_sms_secret = fields.Char(
        string="SMS password or token", config_parameter="callgest_message.sms_secret"
    )
    callgest_sms_sender = fields.Char(
        string="SMS sender", config_parameter="callgest_message.sms_sender"
    )
    callgest_provider_timeout = fields.Integer(
        string="Provider timeout (s)",
        config_parameter="callgest_message.provider_timeout",
        default=10,
    )
    callgest_max_attempts = fields.Integer(
        string="Attempts before flagging",
        config_parameter="callgest_message.max_attempts",
        default=5,
    )
    callgest_retry_minutes = fields.Integer(
        string="First retry after (min)",
        config_parameter="callgest_message.retry_minutes",
        default=1,
    )
