"""The rows of make test / make lint and their summary table."""

from __future__ import annotations

from dataclasses import dataclass, field

from .common import Failure


@dataclass
class Row:
    name: str
    run: int | None = None
    passed: int | None = None
    failed: int | None = 0
    errors: int | None = 0
    skipped: int | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def show(value) -> str:
    return "-" if value is None else str(value)


def summarize(rows: list[Row], header: str, totals: bool) -> int:
    bar = "=" * 86
    print(f"\n{bar}\n{header}\n{bar}")
    columns = ("run", "passed", "failed", "errors", "skipped")
    print(f"{'stage':<40}" + "".join(f"{c:>8}" for c in columns) + "  status")
    for row in rows:
        values = (row.run, row.passed, row.failed, row.errors, row.skipped)
        status = "FAIL" if row.problems else "PASS"
        print(f"{row.name:<40}" + "".join(f"{show(v):>8}" for v in values), status)
    notes = [f"  {row.name.split()[0]}: {note}" for row in rows for note in row.notes]
    if notes:
        print("notes:\n" + "\n".join(notes[:30]))
    print(bar)
    reasons = [f"{row.name}: {', '.join(row.problems)}" for row in rows if row.problems]
    if totals:
        tests = [row for row in rows if row.run is not None]
        passed = sum(row.passed or 0 for row in tests)
        failed = sum((row.failed or 0) + (row.errors or 0) for row in tests)
        skipped = sum(row.skipped or 0 for row in tests)
        print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    print("RESULT: PASS" if not reasons else f"RESULT: FAIL ({'; '.join(reasons)})")
    return 1 if reasons else 0


def guarded(name: str, func, *args) -> list[Row]:
    """Run a stage; a crash becomes a failed row so the summary stays complete."""
    try:
        result = func(*args)
    except Failure as exc:
        return [Row(name, problems=[str(exc)])]
    except Exception as exc:  # noqa: BLE001 - any crash must show in the summary
        return [Row(name, problems=[f"crashed: {exc!r}"])]
    return result if isinstance(result, list) else [result]
