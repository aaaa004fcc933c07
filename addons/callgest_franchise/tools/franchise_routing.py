"""Which franchisee of a network takes a caller, plain Python.

A franchise network has one number for its campaigns; the secretary asks
the caller's postal code (or town) and the call goes to the franchisee that
covers it, else to the nearest one:

1. **The caller's place** (:func:`locate`): a Spanish postal code (five
   digits, the first two its province, 01 to 52) or a town of the offline
   table ``data/es_places.csv`` (the province capitals and the larger
   towns, with their coordinates). A postal code not in the table is placed
   at its province's capital. No outside service is called: the table is
   the data.
2. **Coverage**: each franchisee covers areas, postal-code prefixes ("08",
   "082", "08201") or town names; the most specific area that matches the
   caller wins: a whole postal code, then a town's name, then the longest
   prefix.
3. **Distance**: without a franchisee covering the place, the nearest one by
   great-circle distance from its coordinates.
4. **Hours**: a franchisee closed at that moment does not take the call; the
   network's fallback decides: the next nearest open franchisee
   (``NEXT_OPEN``) or a recado to the network itself (``NETWORK``). A place
   that cannot be found goes to the network: a call is never lost.
"""

import csv
import math
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import NamedTuple

EARTH_RADIUS_KM = 6371.0088
PROVINCES = frozenset(f"{number:02d}" for number in range(1, 53))
PLACES_FILE = Path(__file__).resolve().parent / "data" / "es_places.csv"

NEXT_OPEN = "next_open"
NETWORK = "network"
FALLBACKS = (NEXT_OPEN, NETWORK)

# why a call goes where it goes
COVERS = "covers"  # the franchisee covers the caller's area and is open
NEAREST = "nearest"  # none covers it: the nearest franchisee, open
NEXT_OPEN_FRANCHISEE = "next_open"  # the one chosen was closed: the next open
CLOSED_TO_NETWORK = "closed"  # the one chosen was closed: the network
NONE_OPEN = "none_open"  # every franchisee is closed: the network
UNKNOWN_PLACE = "unknown_place"  # the postal code or town is not known
NO_FRANCHISEE = "no_franchisee"  # the network has no franchisee to route to

# a town named as an area is more specific than a prefix of 2 to 4 digits,
# less than the whole postal code
TOWN_SPECIFICITY = 4.5
_POSTAL_CODE = re.compile(r"^\d{5}$")
_SPACES = re.compile(r"[\s\-./]+")


class Place(NamedTuple):
    """Where the caller is: ``postal_code`` (five digits, or ``""`` for a
    town without one in the table), ``town`` (normalised name, or ``""``),
    and coordinates in degrees."""

    postal_code: str
    town: str
    latitude: float
    longitude: float
    name: str = ""


class Franchisee(NamedTuple):
    """A franchisee for the router: ``areas`` are normalised keys (see
    :func:`area_key`); coordinates may be ``None`` (then it is never the
    nearest); ``is_open`` at the moment of the call."""

    id: int
    name: str
    areas: tuple
    latitude: float | None
    longitude: float | None
    is_open: bool


class Route(NamedTuple):
    """Where a call goes: ``franchisee_id`` (``None``: the network),
    ``reason`` (one of the module's reasons), ``chosen_id`` the franchisee
    that covered the place or was nearest before the hours were checked
    (``None`` when there was none), ``distance_km`` from the place to the
    franchisee taking the call (``None`` without coordinates), ``place``
    (``None`` when unknown) and ``ranking``: every franchisee with
    coordinates as ``(id, distance_km, is_open)``, nearest first."""

    franchisee_id: int | None
    reason: str
    chosen_id: int | None
    distance_km: float | None
    place: Place | None
    ranking: tuple


def normalise(text):
    """A town or area name to compare: lower case, no accents, no
    punctuation, single spaces ("L'Hospitalet de  Llobregat" ->
    "l hospitalet de llobregat")."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^\w\s]", " ", text.lower())
    return " ".join(text.split())


def postal_code(text):
    """The five-digit Spanish postal code written in ``text`` (spaces, dots
    and dashes dropped; "8001" with its leading zero forgotten is "08001"),
    or ``None`` when ``text`` is not one: not digits, or a province that
    does not exist ("99001")."""
    digits = _SPACES.sub("", text or "")
    if len(digits) == 4 and digits.isdigit():
        digits = "0" + digits
    if not _POSTAL_CODE.match(digits) or digits[:2] not in PROVINCES:
        return None
    return digits


def area_key(text):
    """The key of an area as a franchisee covers it: a postal-code prefix
    (2 to 5 digits, of an existing province) or a normalised town name.
    :class:`ValueError` for anything else (an empty area, "1", "99")."""
    digits = _SPACES.sub("", text or "")
    if digits.isdigit():
        if not 2 <= len(digits) <= 5 or digits[:2] not in PROVINCES:
            raise ValueError(
                f"postal-code area {text!r}: 2 to 5 digits of a province 01-52"
            )
        return digits
    name = normalise(text)
    if not name:
        raise ValueError(f"empty area {text!r}")
    return name


@cache
def _places():
    """``(by postal code, by town)`` of the offline table."""
    by_code, by_town = {}, {}
    with PLACES_FILE.open(encoding="utf-8") as table:
        for row in csv.DictReader(table):
            place = Place(
                row["postal_code"],
                normalise(row["name"]),
                float(row["latitude"]),
                float(row["longitude"]),
                row["name"],
            )
            by_code.setdefault(place.postal_code, place)
            by_town.setdefault(place.town, place)
    return by_code, by_town


def locate(query):
    """The :class:`Place` of a postal code or town as the caller says it,
    or ``None``. A postal code not in the table is at its province's
    capital (its ``NN001``), and keeps its own code."""
    by_code, by_town = _places()
    code = postal_code(query)
    if code is not None:
        place = by_code.get(code)
        if place is not None:
            return place
        capital = by_code[code[:2] + "001"]
        return capital._replace(postal_code=code, town="", name=code)
    return by_town.get(normalise(query))


def distance_km(latitude_a, longitude_a, latitude_b, longitude_b):
    """Great-circle distance (haversine), in kilometres."""
    phi_a, phi_b = math.radians(latitude_a), math.radians(latitude_b)
    d_phi = phi_b - phi_a
    d_lambda = math.radians(longitude_b - longitude_a)
    h = (
        math.sin(d_phi / 2) ** 2
        + math.cos(phi_a) * math.cos(phi_b) * math.sin(d_lambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def covering(place, franchisees):
    """The franchisees covering ``place``, best first: the most specific
    area wins, a whole postal code, then the town's name, then the longest
    prefix."""
    matches = []
    for franchisee in franchisees:
        best = -1
        for area in franchisee.areas:
            if area.isdigit():
                if place.postal_code.startswith(area):
                    best = max(best, len(area))
            elif area == place.town:
                best = max(best, TOWN_SPECIFICITY)
        if best >= 0:
            matches.append((best, franchisee))
    matches.sort(key=lambda match: -match[0])
    return [franchisee for _length, franchisee in matches]


def rank(place, franchisees):
    """``[(franchisee, distance_km)]`` of those with coordinates, nearest
    first (ties by name, then id: the same answer every time)."""
    ranked = [
        (
            franchisee,
            distance_km(
                place.latitude,
                place.longitude,
                franchisee.latitude,
                franchisee.longitude,
            ),
        )
        for franchisee in franchisees
        if franchisee.latitude is not None and franchisee.longitude is not None
    ]
    ranked.sort(key=lambda item: (item[1], item[0].name, item[0].id))
    return ranked


def route(query, franchisees, fallback=NEXT_OPEN):
    """The :class:`Route` of a caller who says ``query`` (a postal code or
    a town), among ``franchisees`` (:class:`Franchisee`)."""
    if fallback not in FALLBACKS:
        raise ValueError(f"unknown fallback {fallback!r}, expected {FALLBACKS}")
    franchisees = list(franchisees)
    place = locate(query)
    if place is None:
        return Route(None, UNKNOWN_PLACE, None, None, None, ())
    ranked = rank(place, franchisees)
    distances = {franchisee.id: distance for franchisee, distance in ranked}
    ranking = tuple(
        (franchisee.id, round(distance, 1), franchisee.is_open)
        for franchisee, distance in ranked
    )

    def at(franchisee, reason, chosen):
        distance = distances.get(franchisee.id)
        return Route(
            franchisee.id,
            reason,
            chosen.id,
            None if distance is None else round(distance, 1),
            place,
            ranking,
        )

    if not franchisees:
        return Route(None, NO_FRANCHISEE, None, None, place, ranking)
    covers = covering(place, franchisees)
    chosen = covers[0] if covers else (ranked[0][0] if ranked else None)
    if chosen is None:  # nobody covers it, nobody has coordinates
        return Route(None, UNKNOWN_PLACE, None, None, place, ranking)
    if chosen.is_open:
        return at(chosen, COVERS if covers else NEAREST, chosen)
    if fallback == NETWORK:
        return Route(None, CLOSED_TO_NETWORK, chosen.id, None, place, ranking)
    for franchisee, _distance in ranked:
        if franchisee.is_open and franchisee.id != chosen.id:
            return at(franchisee, NEXT_OPEN_FRANCHISEE, chosen)
    return Route(None, NONE_OPEN, chosen.id, None, place, ranking)
