"""Load `--adapter MODULE[:ATTR]` and prove it usable before any test runs.

Every mistake a team can make in its adapter is reported here, at collection time, with
the adapter's module and the fix: a module that does not import, an attribute that is not
an Adapter, a missing field, an effect kind the suite does not know, a SQL query that
fails. A chaos run that fails four minutes in because of a typo in glue code teaches
nothing about the worker, so the loader runs every query it can before the first test.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
import traceback
from typing import Any

from pydantic import ValidationError

from stormproof.adapter.models import EFFECT_KINDS, Adapter, Rows
from stormproof.fixtures.errors import StormproofError

DEFAULT_ATTR = "ADAPTER"
REFERENCE = "stormproof.adapter.reference"
_PARAM = re.compile(r"(?<!:):([a-z_]+)\b")


class AdapterError(StormproofError):
    """The adapter named by --adapter cannot be used; says which module and how to fix it."""

    def __init__(self, spec: str, what: str, *, found: str | None = None, fix: str):
        super().__init__(f"adapter {spec}: {what}", found=found, fix=fix)
        self.spec = spec


def split_spec(spec: str) -> tuple[str, str]:
    """`MODULE[:ATTR]` as (module, attr), the attribute defaulting to `ADAPTER`."""
    module, _, attr = spec.strip().partition(":")
    return module, attr or DEFAULT_ATTR


def load_adapter(spec: str | None = None) -> Adapter:
    """The Adapter `spec` names (the reference's contract when None), fully validated."""
    spec = spec or REFERENCE
    module_name, attr = split_spec(spec)
    try:
        module = importlib.import_module(module_name)
    except ValidationError as exc:  # `ADAPTER = Adapter(...)` failed while importing
        raise _invalid(spec, exc) from None
    except Exception as exc:
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        raise AdapterError(
            spec,
            f"module {module_name!r} cannot be imported",
            found=last,
            fix="check the spelling of --adapter MODULE[:ATTR] and that the module is "
            "importable from here (run pytest from your project root, or pip install -e it)",
        ) from None
    if not hasattr(module, attr):
        raise AdapterError(
            spec,
            f"module {module_name!r} has no attribute {attr!r}",
            found=f"public names: {sorted(n for n in vars(module) if not n.startswith('_'))}",
            fix=f"define {attr} = Adapter(...) in {module_name}, or name it: "
            f"--adapter {module_name}:NAME",
        )
    value: Any = getattr(module, attr)
    if callable(value) and not isinstance(value, Adapter):
        value = value()
    if not isinstance(value, Adapter):
        try:
            value = Adapter.model_validate(value)
        except ValidationError as exc:
            raise _invalid(spec, exc) from None
    validate_queries(spec, value)
    return value


def _invalid(spec: str, exc: ValidationError) -> AdapterError:
    lines, fixes = [], []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "adapter"
        lines.append(f"{where}: {error['msg']}")
        if error["type"] == "missing":
            fixes.append(f"add the field {where}")
        elif error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            fixes.append(f"{where}: an effect's kind must be one of {', '.join(EFFECT_KINDS)}")
        elif error["type"] == "extra_forbidden":
            fixes.append(f"remove {where} (not a field of the adapter API, docs/ADAPTERS.md)")
        else:
            fixes.append(f"correct {where} (docs/ADAPTERS.md lists each field)")
    return AdapterError(
        spec,
        f"is not a valid Adapter ({exc.error_count()} problem(s))",
        found="; ".join(lines),
        fix="; ".join(dict.fromkeys(fixes)),
    )


def bind(query: str, tag: str, *, style: str) -> tuple[str, dict[str, str]]:
    """`:tag`/`:like` in `query`, bound for sqlite (`:name`) or psycopg (`%(name)s`)."""
    params = {"tag": tag, "like": tag + "%"}
    if style == "sqlite":
        return query, params
    escaped = query.replace("%", "%%")
    return _PARAM.sub(lambda m: f"%({m.group(1)})s", escaped), params


def validate_queries(spec: str, adapter: Adapter) -> None:
    """Run every Rows query on an in-memory SQLite database holding its schema (when one is
    given), or at least prepare it; a syntax error, an unknown column or parameter, or a
    schema that does not build fails here, naming the unit and the query."""
    for unit in adapter.units:
        for effect in unit.effects:
            if not isinstance(effect, Rows):
                continue
            unknown = set(_PARAM.findall(effect.query)) - {"tag", "like"}
            if unknown:
                raise AdapterError(
                    spec,
                    f"unit {unit.name!r}: the rows query uses unknown parameters {sorted(unknown)}",
                    found=effect.query,
                    fix="use only :tag (the run's tag) and :like (the tag followed by %)",
                )
            _try_query(spec, unit.name, effect)


def _try_query(spec: str, unit: str, effect: Rows) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        if effect.schema_sql:
            try:
                conn.executescript(effect.schema_sql)
            except sqlite3.Error as exc:
                raise AdapterError(
                    spec,
                    f"unit {unit!r}: the rows effect's schema_sql does not build",
                    found=f"{exc}: {effect.schema_sql.strip()[:200]}",
                    fix="give the CREATE TABLE statement(s) your worker runs, in portable SQL",
                ) from None
        query, params = bind(effect.query, "t", style="sqlite")
        try:
            cur = conn.execute(query if effect.schema_sql else f"EXPLAIN {query}", params)
            if effect.schema_sql and not cur.description:
                raise sqlite3.OperationalError("the query returns no columns")
        except sqlite3.Error as exc:
            if not effect.schema_sql and "no such table" in str(exc):
                return  # nothing to run it against; the observer will
            raise AdapterError(
                spec,
                f"unit {unit!r}: the rows query fails",
                found=f"{exc}: {effect.query.strip()[:200]}",
                fix="make it a SELECT whose first column is the workflow id, reading the "
                "table(s) in schema_sql (tried on an empty SQLite database)",
            ) from None
    finally:
        conn.close()
