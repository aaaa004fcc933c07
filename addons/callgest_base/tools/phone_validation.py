"""Numbers validated the way Odoo validates them (``phone_validation``)."""

from odoo.addons.phone_validation.tools.phone_validation import phone_parse

from . import phone_numbers


def parse_number(raw, country_code):
    """Clean, parse and validate a number; describe it.

    :param country_code: ISO code of the country of a national form ("ES").
    :rtype: phone_numbers.NumberInfo
    :raise odoo.exceptions.UserError: with phone_validation's translated reason
        when the number cannot be read or is impossible.
    """
    cleaned = phone_numbers.clean_raw_number(raw)
    if cleaned.startswith("00"):
        # 00 is the international prefix of Spain, Portugal, Chile and most
        # of the world: read it as such even when no country is known.
        cleaned = "+" + cleaned[2:]
    return phone_numbers.describe(phone_parse(cleaned or raw, country_code or None))
