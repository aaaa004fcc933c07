"""Which rate a dialled number takes: a mobile or a fixed line.

Plain Python on ``phonenumbers``, shared by the rating of imported calls and
the quote of a prospect's own call records.
"""

import phonenumbers

from . import rating

MOBILE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
    }
)


def outbound_destination(e164, region=None):
    """``'mobile'`` or ``'fixed'`` for the number an outbound call dialled or
    a transfer put the caller through to (``region``: the country code for a
    number written without its prefix, e.g. the PBX's ``"ES"``). A number
    that cannot be read is rated as a fixed line, the cheaper rate: a quote
    or an invoice never charges more than the tariff."""
    try:
        number = phonenumbers.parse(e164 or "", region)
    except phonenumbers.NumberParseException:
        return rating.OUTBOUND_FIXED_DESTINATION
    if phonenumbers.number_type(number) in MOBILE_TYPES:
        return rating.OUTBOUND_MOBILE_DESTINATION
    return rating.OUTBOUND_FIXED_DESTINATION
