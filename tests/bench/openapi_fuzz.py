"""The long contract run: schemathesis against the API on the local cloud, every phase and
every check (tests/integration/openapi_contract.py), with many more examples than the test.

Starts the local cloud in-process (template.yaml deployed into moto), serves the API with
uvicorn on a free port, seeds an admin user with a template and a run, then runs
schemathesis and prints how many cases it generated, how many failed, how many were server
errors, and each failure with a curl line to reproduce it. Exit status 1 if anything failed.

    .venv/bin/python tests/bench/openapi_fuzz.py [--max-examples 300] [--seed N] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import threading
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

import uvicorn

import openapi_contract
from relay.api import create_app
from relay.bootstrap import Relay
from relay.settings import ApiSettings
from relay_tools.local import LocalCloud


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=300, help="per operation and phase (default 300)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stateful-steps", type=int, default=None)
    parser.add_argument("--max-time", type=float, default=None, help="stop after this many seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("relay.api").setLevel(logging.CRITICAL)  # 503s/500s are counted, not logged

    warnings.filterwarnings("ignore", message="Couldn't determine the remaining time left")
    cloud = LocalCloud(parameters={"LogLevel": "WARNING"})
    cloud.start()
    try:
        relay = Relay(ApiSettings())
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(relay), host="127.0.0.1", port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        seeded = openapi_contract.seed(relay)
        outcome = openapi_contract.run(
            f"http://127.0.0.1:{port}",
            seeded,
            max_examples=args.max_examples,
            seed=args.seed,
            workers=args.workers,
            stateful_steps=args.stateful_steps,
            max_time=args.max_time,
        )
        server.should_exit = True
        thread.join(timeout=10)
    finally:
        cloud.stop()

    for failure in outcome.failures:
        print(failure, end="\n\n")
    for error in outcome.errors:
        print("error:", error)
    print(f"command: {' '.join(sys.argv)}")
    print("responses by operation:")
    print(outcome.per_operation())
    print(outcome.summary())
    return 1 if outcome.failures or outcome.server_errors or outcome.errors else 0


if __name__ == "__main__":
    sys.exit(main())
