"""Services state what they change (relay.domain.changes) and leave the writes to the
adapters: no service builds or passes a DynamoDB transaction item."""

from __future__ import annotations

import re
from pathlib import Path

import relay

PACKAGE = Path(relay.__file__).parent
SERVICES = sorted([*PACKAGE.glob("services/*.py"), *PACKAGE.glob("runtime/services/*.py")])
# A transaction's items, their parts, or an adapter's builder of them (`…_op`, `…_ops`).
WRITE_SHAPES = re.compile(
    r"TransactItems|transact_write|ConditionExpression|UpdateExpression|\"(Put|Update|Delete|ConditionCheck)\"|\b\w+_ops?\("
)


def test_services_are_found():
    assert len(SERVICES) > 10 and any(p.name == "answers.py" for p in SERVICES)


def test_no_service_touches_transaction_items():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in SERVICES
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if WRITE_SHAPES.search(line)
    ]
    assert found == []
