"""The run interpreter: pure logic that advances a run through its workflow."""

from .interpreter import advance
from .results import Advance, Answer, Pause

__all__ = ["Advance", "Answer", "Pause", "advance"]
