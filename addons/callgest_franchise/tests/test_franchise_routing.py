"""The franchise router (tools/franchise_routing.py), plain Python.

Run by Odoo's test runner with the addon, or alone:
``python3 addons/callgest_franchise/tests/test_franchise_routing.py``.
"""

import importlib.util
import math
import sys
import unittest
from pathlib import Path

if __package__:  # in the addon, by Odoo's test runner
    from odoo.tests import BaseCase

    from ..tools import franchise_routing as routing
else:  # alone, by file path: the tools have no Odoo import
    BaseCase = unittest.TestCase
    _TOOLS = Path(__file__).resolve().parent.parent / "tools"
    _spec = importlib.util.spec_from_file_location(
        "callgest_franchise_tools",
        _TOOLS / "__init__.py",
        submodule_search_locations=[str(_TOOLS)],
    )
    _package = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _package
    _spec.loader.exec_module(_package)
    from callgest_franchise_tools import franchise_routing as routing

BARCELONA, MADRID, VALENCIA, SEVILLA = 1, 2, 3, 4


def chain(closed=(), **areas):
    """The demo repair chain: a franchisee in each city, at its centre."""
    cities = {
        BARCELONA: ("Barcelona", ("08",), 41.39, 2.17),
        MADRID: ("Madrid", ("28",), 40.42, -3.70),
        VALENCIA: ("Valencia", ("46",), 39.47, -0.38),
        SEVILLA: ("Sevilla", ("41",), 37.39, -5.98),
    }
    return [
        routing.Franchisee(
            ident,
            name,
            areas.get(name.lower(), covered),
            latitude,
            longitude,
            ident not in closed,
        )
        for ident, (name, covered, latitude, longitude) in cities.items()
    ]


def law_of_cosines_km(latitude_a, longitude_a, latitude_b, longitude_b):
    """Another formula for the same distance, to check the haversine."""
    a, b, c, d = map(math.radians, (latitude_a, longitude_a, latitude_b, longitude_b))
    cosine = math.sin(a) * math.sin(c) + math.cos(a) * math.cos(c) * math.cos(d - b)
    return routing.EARTH_RADIUS_KM * math.acos(cosine)


class TestPlaces(BaseCase):
    def test_postal_codes(self):
        self.assertEqual(routing.postal_code("08201"), "08201")
        self.assertEqual(routing.postal_code(" 08 201 "), "08201")
        self.assertEqual(routing.postal_code("8201"), "08201")  # the 0 forgotten
        for bad in ("99001", "00001", "53001", "0820", "082011", "abc", "", None):
            with self.subTest(bad=bad):
                self.assertIsNone(routing.postal_code(bad))

    def test_locate(self):
        sabadell = routing.locate("08201")
        self.assertEqual((sabadell.name, sabadell.town), ("Sabadell", "sabadell"))
        # a code not in the table: at its province's capital, its own code
        other = routing.locate("08750")
        self.assertEqual(
            (other.postal_code, other.latitude, other.longitude), ("08750", 41.39, 2.17)
        )
        self.assertEqual(
            routing.locate("l'hospitalet de  LLOBREGAT").postal_code, "08901"
        )
        self.assertEqual(routing.locate("Alcalá de Henares").postal_code, "28801")
        self.assertEqual(routing.locate("alcala de henares").postal_code, "28801")
        self.assertIsNone(routing.locate("Atlantis"))
        self.assertIsNone(routing.locate("99001"))

    def test_area_keys(self):
        self.assertEqual(routing.area_key("08"), "08")
        self.assertEqual(routing.area_key("08 2"), "082")
        self.assertEqual(
            routing.area_key("Sant Cugat del Vallès"), "sant cugat del valles"
        )
        for bad in ("1", "99", "123456", "", "  ", "!!"):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError):
                    routing.area_key(bad)

    def test_distance_by_two_formulas(self):
        """Girona to Barcelona, Toledo to Madrid, Zaragoza to València."""
        for a, b, expected in (
            ((41.98, 2.82), (41.39, 2.17), 85.0),
            ((39.86, -4.03), (40.42, -3.70), 68.3),
            ((41.65, -0.88), (39.47, -0.38), 246.1),
        ):
            with self.subTest(a=a, b=b):
                haversine = routing.distance_km(*a, *b)
                self.assertAlmostEqual(haversine, law_of_cosines_km(*a, *b), places=6)
                self.assertEqual(round(haversine, 1), expected)


class TestRoute(BaseCase):
    def test_covering_franchisee(self):
        result = routing.route("08201", chain())
        self.assertEqual(
            (result.franchisee_id, result.reason, result.distance_km),
            (BARCELONA, routing.COVERS, 18.5),
        )
        self.assertEqual(routing.route("Terrassa", chain()).franchisee_id, BARCELONA)
        self.assertEqual(routing.route("46900", chain()).franchisee_id, VALENCIA)

    def test_nearest_when_nobody_covers(self):
        """Each checked by hand: the franchisee at the shortest distance."""
        for query, expected, km in (
            ("17001", BARCELONA, 85.0),  # Girona
            ("45001", MADRID, 68.3),  # Toledo
            ("03001", VALENCIA, 124.8),  # Alicante
            ("11001", SEVILLA, 99.5),  # Cádiz
            # Zaragoza: València 246.1 km, Barcelona 255.6, Madrid 273.2
            ("50001", VALENCIA, 246.1),
            ("Palma", BARCELONA, 206.4),
        ):
            with self.subTest(query=query):
                result = routing.route(query, chain())
                self.assertEqual(
                    (result.franchisee_id, result.reason, result.distance_km),
                    (expected, routing.NEAREST, km),
                )
        zaragoza = routing.route("50001", chain())
        self.assertEqual(
            zaragoza.ranking[:3],
            ((VALENCIA, 246.1, True), (BARCELONA, 255.6, True), (MADRID, 273.2, True)),
        )

    def test_longest_prefix_wins(self):
        franchisees = chain(barcelona=("08",), madrid=("28", "082"))
        self.assertEqual(routing.route("08201", franchisees).franchisee_id, MADRID)
        self.assertEqual(routing.route("08001", franchisees).franchisee_id, BARCELONA)

    def test_town_area(self):
        """A town named as an area is more specific than its province."""
        franchisees = chain(valencia=("46", "sabadell"))
        self.assertEqual(routing.route("Sabadell", franchisees).franchisee_id, VALENCIA)
        # Sabadell's postal code in the table is Sabadell
        self.assertEqual(routing.route("08201", franchisees).franchisee_id, VALENCIA)
        # a code the table does not have is its province's
        self.assertEqual(routing.route("08202", franchisees).franchisee_id, BARCELONA)
        # a whole postal code is more specific than the town
        franchisees = chain(valencia=("46", "sabadell"), madrid=("28", "08201"))
        self.assertEqual(routing.route("Sabadell", franchisees).franchisee_id, MADRID)

    def test_closed_next_open(self):
        """Madrid is closed: Toledo goes to the next nearest open, València
        (315.4 km) before Sevilla (322.7)."""
        result = routing.route("45001", chain(closed={MADRID}))
        self.assertEqual(
            (result.franchisee_id, result.reason, result.chosen_id, result.distance_km),
            (VALENCIA, routing.NEXT_OPEN_FRANCHISEE, MADRID, 315.4),
        )
        covered = routing.route("28001", chain(closed={MADRID}))
        self.assertEqual(covered.chosen_id, MADRID)
        self.assertNotEqual(covered.franchisee_id, MADRID)

    def test_closed_to_network(self):
        result = routing.route("45001", chain(closed={MADRID}), routing.NETWORK)
        self.assertEqual(
            (result.franchisee_id, result.reason, result.chosen_id),
            (None, routing.CLOSED_TO_NETWORK, MADRID),
        )

    def test_every_franchisee_closed(self):
        result = routing.route("45001", chain(closed={1, 2, 3, 4}))
        self.assertEqual(
            (result.franchisee_id, result.reason), (None, routing.NONE_OPEN)
        )

    def test_unknown_place_goes_to_the_network(self):
        for query in ("99001", "Atlantis", "", "abc"):
            with self.subTest(query=query):
                result = routing.route(query, chain())
                self.assertEqual(
                    (result.franchisee_id, result.reason), (None, routing.UNKNOWN_PLACE)
                )

    def test_no_coordinates_never_nearest(self):
        franchisees = [f._replace(latitude=None) for f in chain()]
        self.assertEqual(
            routing.route("17001", franchisees).reason, routing.UNKNOWN_PLACE
        )
        self.assertEqual(routing.route("08201", franchisees).franchisee_id, BARCELONA)
        self.assertEqual(routing.route("08201", []).reason, routing.NO_FRANCHISEE)

    def test_bad_fallback(self):
        with self.assertRaises(ValueError):
            routing.route("08001", chain(), "voicemail")


if __name__ == "__main__":
    unittest.main()
