"""TransactWriteItems in moto at a cost that does not grow with the table.

moto makes a transaction all-or-nothing by deep-copying every table it names before it starts
and putting the copies back if it is cancelled. That costs time in proportion to the whole
table (measured: 4 ms per transaction at 100 items, 26 ms at 1,000, 172 ms at 5,000, 756 ms
at 20,000), and with requests serialised (see isolation.py) every RunStep commit would wait
behind it: a day of workshop runs would slow the whole local cloud down. Under that same
serialisation nothing else can change a table during a transaction, so saving and restoring
just the items the transaction names gives the same all-or-nothing result.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

_installed = threading.Lock()
_active = threading.local()


class _TableCopySkipper:
    """Stands in for the `copy` module inside moto's DynamoDB models: while one of our
    transactions runs, tables are not deep-copied (the items are saved instead)."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if getattr(_active, "transaction", False) and isinstance(value, self._table_type):
            return value  # moto's restore then puts back the same object: a no-op
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _item_key(backend: Any, op_type: str, op: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    table_name = op.get("TableName")
    if not table_name or table_name not in backend.tables:
        return None
    if op_type != "Put":
        return table_name, op.get("Key") or {}
    table = backend.tables[table_name]
    attrs = op.get("Item") or {}
    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    if any(name not in attrs for name in names):
        return None  # moto rejects it itself
    return table_name, {name: attrs[name] for name in names}


def install() -> None:
    """Patch moto's DynamoDB backend once per process (idempotent)."""
    import moto.dynamodb.models as models

    with _installed:
        if getattr(models.DynamoDBBackend.transact_write_items, "_relay_item_level", False):
            return
        original = models.DynamoDBBackend.transact_write_items
        models.copy = _TableCopySkipper(models.Table)  # type: ignore[assignment]  # stands in for moto's `copy` module

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            saved = []
            for entry in transact_items:
                if len(entry) != 1:
                    continue  # moto rejects it before writing anything
                op_type, op = next(iter(entry.items()))
                target = _item_key(self, op_type, op)
                if target is None:
                    continue
                try:
                    current = self.get_item(*target)
                except Exception:  # noqa: BLE001 - a malformed key: moto reports it and writes nothing
                    continue
                saved.append((target, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
            _active.transaction = True
            try:
                original(self, transact_items)
            except Exception:
                for (table_name, key), attributes in reversed(saved):
                    if attributes is None:
                        if self.get_item(table_name, key) is not None:
                            self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, attributes)
                raise
            finally:
                _active.transaction = False

        transact_write_items._relay_item_level = True  # type: ignore[attr-defined]
        models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]  # the patch
