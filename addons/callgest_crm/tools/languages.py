"""The language to propose to a new client of a country.

Plain Python on babel (one of Odoo's own requirements): no ORM, so it is
tested without a database. Odoo has no language per country; it reads a
bare language the way babel's ``LOCALE_ALIASES`` does (``es`` is ``es_ES``,
``pt`` is ``pt_PT``, ``en`` is ``en_US``, see ``odoo.http``'s
``best_lang``), and its language codes carry their country (``es_CL``,
``fr_BE``, ``sr@latin``).
"""

from collections.abc import Iterable

from babel.core import LOCALE_ALIASES
from babel.languages import get_official_languages


def _parts(code: str) -> tuple[str, str]:
    """``(language, territory)`` of an Odoo language code: ``es_CL`` is
    ``("es", "CL")``, ``sr@latin`` is ``("sr", "")``."""
    language, __, territory = code.split("@")[0].partition("_")
    return language, territory.upper()


def country_language(country_code: str | None, installed: Iterable[str]) -> str | None:
    """The installed language for a client of the country ``country_code``
    (ISO 3166 alpha-2), or ``None`` when none fits.

    First a variant of that very country (``es_ES`` in Spain, ``pt_PT`` in
    Portugal, ``es_CL`` in Chile, ``nl_BE`` before ``fr_BE`` in Belgium), in
    the order of the country's official languages; else the usual variant of
    one of those languages (``es_ES`` for Chile when ``es_CL`` is not
    installed), else any installed variant of it.
    """
    if not country_code:
        return None
    country = country_code.upper()
    installed = sorted(set(installed))
    try:
        spoken = [
            language.split("_")[0]
            for language in get_official_languages(country, de_facto=True)
        ]
    except (KeyError, ValueError):  # not a territory babel knows
        spoken = []
    here = [code for code in installed if _parts(code)[1] == country]
    for language in spoken:
        for code in here:
            if _parts(code)[0] == language:
                return code
    if here:
        return here[0]
    for language in spoken:
        alias = LOCALE_ALIASES.get(language)
        if alias in installed:
            return alias
        for code in installed:
            if _parts(code)[0] == language:
                return code
    return None
