"""The tooling finds the Odoo source tree given to an earlier clone."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from callgest_dev import odoo_source  # noqa: E402


def make_source(root: Path, major: int) -> Path:
    (root / "odoo").mkdir(parents=True)
    (root / "odoo" / "release.py").write_text(
        f"version_info = ({major}, 0, 0, 'final', 0, '')\n"
    )
    return root


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setattr(
        odoo_source, "SRC_DIR", tmp_path / "clone" / ".callgest" / "odoo-src"
    )
    monkeypatch.setattr(
        odoo_source, "REMEMBERED_SOURCE", tmp_path / "cache" / "odoo-source"
    )
    monkeypatch.setenv("CALLGEST_IGNORE_SYSTEM_ODOO", "1")
    monkeypatch.delenv("ODOO_SOURCE", raising=False)
    return tmp_path


def test_a_source_given_once_is_used_by_the_next_clone(isolated, monkeypatch):
    source = make_source(isolated / "odoo-18", 18)
    monkeypatch.setenv("ODOO_SOURCE", str(source))
    assert odoo_source.locate_odoo() == source

    # A new clone: its own .callgest/ is empty and ODOO_SOURCE is not set.
    monkeypatch.setattr(
        odoo_source, "SRC_DIR", isolated / "clone2" / ".callgest" / "odoo-src"
    )
    monkeypatch.delenv("ODOO_SOURCE")
    assert odoo_source.locate_odoo() == source
    assert (odoo_source.SRC_DIR / "CURRENT").read_text().strip() == str(source)


@pytest.mark.parametrize("major", [17, None])
def test_a_remembered_source_that_is_gone_or_not_18_is_not_used(isolated, major):
    remembered = isolated / "odoo"
    if major:
        make_source(remembered, major)
    odoo_source.REMEMBERED_SOURCE.parent.mkdir(parents=True)
    odoo_source.REMEMBERED_SOURCE.write_text(f"{remembered}\n")
    assert odoo_source.remembered_source(odoo_source.REMEMBERED_SOURCE) is None
