"""The DynamoDB writes of the domain's change records (relay.domain.changes).

Each change becomes its conditional write in the transaction that commits the run, with the
error the change names for a failed condition. The tables are the deployment's; a change
for a table this function was not given one for is a wiring error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from relay.domain import changes as c
from relay.domain.changes import conflict_error

from . import pending_inputs
from .artifacts import decision_update, undecision_update
from .branches import branch_put
from .run_index import index_puts
from .transaction import Transaction


@dataclass(frozen=True)
class ChangeTables:
    pending: str
    artifacts: str | None = None
    branches: str | None = None
    run_search: str | None = None

    def table(self, name: str) -> str:
        table = getattr(self, name)
        if table is None:
            raise TypeError(f"this repository writes no {name} table")
        return table


def add_changes(transaction: Transaction, tables: ChangeTables, changes: Sequence[c.Change]) -> None:
    """Append each change's write to `transaction`, failing with the change's own error."""
    for change in changes:
        if isinstance(change, c.IndexRun):  # unconditional puts
            transaction.extend(index_puts(tables.table("run_search"), change.run, change.words))
            continue
        failed = partial(conflict_error, change.conflict)
        if isinstance(change, c.RecordDecision):
            transaction.add({"Update": decision_update(tables.table("artifacts"), change)}, failed)
        elif isinstance(change, c.UndoDecision):
            transaction.add({"Update": undecision_update(tables.table("artifacts"), change)}, failed)
        elif isinstance(change, c.PutBranch):
            transaction.add(branch_put(tables.table("branches"), change.branch), failed)
        else:
            transaction.add(pending_inputs.change_item(tables.pending, change), failed)
