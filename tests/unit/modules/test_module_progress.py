import math

import pytest

from relay.runtime.modules import ModuleContext


def test_progress_goes_to_the_injected_sink_as_a_float():
    seen = []
    ctx = ModuleContext(run_id="run_1", step_id="s", module_index=0, on_progress=lambda *a: seen.append(a))
    ctx.progress(0.5, stage="render", message="half")
    ctx.progress(1)
    assert seen == [(0.5, "render", "half"), (1.0, None, None)]
    assert isinstance(seen[1][0], float)


@pytest.mark.parametrize("value", [-0.01, 1.01, math.nan, True, "0.5", None])
def test_progress_outside_0_to_1_is_refused(value):
    seen = []
    ctx = ModuleContext(run_id="run_1", step_id="s", module_index=0, on_progress=lambda *a: seen.append(a))
    with pytest.raises(ValueError, match="progress must be a number from 0 to 1"):
        ctx.progress(value)
    assert seen == []


def test_progress_without_a_sink_only_checks():
    ctx = ModuleContext(run_id="run_1", step_id="s", module_index=0)
    ctx.progress(0.25, stage="x")  # nothing records it; no error
    with pytest.raises(ValueError, match="progress must be a number from 0 to 1, not 2"):
        ctx.progress(2)
