"""What every command gets: its arguments, the output, and the SDK client (made on first use)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .output import Output

if TYPE_CHECKING:
    from ..client import Relay


@dataclass
class Context:
    args: argparse.Namespace
    out: Output
    _relay: Relay | None = field(default=None, init=False)

    @property
    def relay(self) -> Relay:
        if self._relay is None:
            from .. import config
            from ..client import Relay

            profile = config.resolve(self.args.url, None, self.args.profile)
            self._relay = Relay(profile.url, profile.api_key)
        return self._relay

    def close(self) -> None:
        if self._relay is not None:
            self._relay.close()
