"""Phone number helpers shared by DDIs, the screen pop, CDR import and billing.

Plain Python on top of ``phonenumbers``: no ORM here, so the same code runs in
Odoo, in the PBX bridge and in fast unit tests.
"""

import re
from typing import NamedTuple

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# The selection values of ``callgest.ddi.number_type``.
NUMBER_TYPES = [
    ("fixed_line", "Fixed line"),
    ("mobile", "Mobile"),
    ("fixed_line_or_mobile", "Fixed line or mobile"),
    ("toll_free", "Toll-free (900/800)"),
    ("shared_cost", "Shared cost (90X)"),
    ("premium_rate", "Premium rate (80X/90X)"),
    ("voip", "VoIP"),
    ("uan", "Corporate / universal access"),
    ("personal", "Personal number"),
    ("other", "Other"),
]

_TYPE_BY_PHONENUMBERS = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
}

_URI_SCHEME = re.compile(r"^(?:tel|sip|sips):", re.IGNORECASE)
_NON_DIGITS = re.compile(r"\D")


class NumberInfo(NamedTuple):
    """Everything CallGest stores about a valid number."""

    e164: str  # +34933906700
    digits: str  # 34933906700: E.164 without the plus sign
    national_digits: str  # 933906700: the national significant number
    national: str  # 933 90 67 00
    international: str  # +34 933 90 67 00
    region: str  # ES
    number_type: str  # a key of NUMBER_TYPES


def describe(number):
    """Describe a parsed, valid :class:`phonenumbers.PhoneNumber`."""
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return NumberInfo(
        e164=e164,
        digits=e164[1:],
        national_digits=phonenumbers.national_significant_number(number),
        national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
        international=phonenumbers.format_number(
            number, PhoneNumberFormat.INTERNATIONAL
        ),
        region=phonenumbers.region_code_for_number(number) or "",
        number_type=_TYPE_BY_PHONENUMBERS.get(
            phonenumbers.number_type(number), "other"
        ),
    )


def clean_raw_number(raw):
    """Strip what a PBX or a person wraps around a number.

    ``"sip:+34933906700@pbx.local"`` → ``"+34933906700"``;
    ``"93 390 67 00"`` → ``"933906700"``. The leading ``+`` is kept.
    """
    text = (raw or "").strip()
    text = _URI_SCHEME.sub("", text)
    text = text.split("@", 1)[0].split(";", 1)[0]
    digits = _NON_DIGITS.sub("", text)
    if not digits:
        return ""
    return ("+" + digits) if text.lstrip().startswith("+") else digits


def lookup_keys(raw):
    """Return the keys under which a raw number can be stored.

    A PBX sends the same number as ``+34933906700``, ``0034933906700``,
    ``34933906700`` or ``933906700``. The result is a pair of tuples:

    * full keys, compared with the E.164 digits (no ``+``);
    * national keys, compared with the national significant number.

    Exact full matches are more specific than national ones; the caller
    decides between several national matches (e.g. by country).
    """
    cleaned = clean_raw_number(raw)
    if not cleaned:
        return (), ()
    if cleaned.startswith("+"):
        return (cleaned[1:],), ()
    if cleaned.startswith("00"):
        return (cleaned[2:],), ()
    full = (cleaned,)
    national = [cleaned]
    # A trunk prefix 0 (e.g. 0 21 712 3456 in an old-style national dial)
    if cleaned.startswith("0") and len(cleaned) > 1:
        national.append(cleaned[1:])
    return full, tuple(national)


def search_digits(text):
    """Digits to look for when a person searches a number in any written form.

    ``"+34 933 90 67 00"``, ``"0034933906700"`` and ``"93 390 67 00"`` all give
    digits contained in the stored E.164 digits (``34933906700``); a national
    form with a trunk ``0`` gives the national digits without it.
    """
    cleaned = clean_raw_number(text)
    if cleaned.startswith("+"):
        return cleaned[1:]
    if cleaned.startswith("00"):
        return cleaned[2:]
    return cleaned


def narrow_candidates(candidates, full_keys, home_region, digits_of, region_of):
    """The DDIs a number most likely means, among those its keys matched.

    The one rule of the resolver: an exact E.164 match wins over national
    ones; among national matches, the home country's win.

    :param digits_of: a DDI's E.164 digits; :param region_of: its region.
    """
    exact = [ddi for ddi in candidates if digits_of(ddi) in full_keys]
    if exact:
        return exact
    home = [ddi for ddi in candidates if region_of(ddi) == home_region]
    return home or list(candidates)
