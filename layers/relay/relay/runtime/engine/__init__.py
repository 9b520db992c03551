"""The run interpreter: pure logic that advances a run through its workflow."""

from .interpreter import Advance, Answer, Pause, advance

__all__ = ["Advance", "Answer", "Pause", "advance"]
