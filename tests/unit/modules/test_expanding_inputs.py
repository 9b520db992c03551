"""Inputs that expand are bounded while they are built, not after: transform.format stops at
its cap, and `$state` references copied many times stop at MAX_REFERENCED_BYTES, each with
INVALID_MODULE_INPUT. The bombs run in a child interpreter whose address space is capped
(RLIMIT_AS: what it holds after imports + 512 MiB), so code that built the whole value first
dies there of MemoryError instead of taking the machine's memory; tracemalloc measures the peak."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from relay.domain.limits import KIB, MAX_REFERENCED_BYTES, json_size, json_size_capped
from relay.runtime.modules import ModuleInputError, resolve

_CHILD = """
import json, resource, sys, time, tracemalloc
{imports}

def vm_bytes():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))

cap = vm_bytes() + 512 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
tracemalloc.start()
started = time.monotonic()
try:
{body}
    outcome = result
except MemoryError:
    outcome = "MemoryError"
except Exception as exc:
    outcome = getattr(exc, "code", type(exc).__name__) + ": " + str(exc)
print(json.dumps({{"outcome": outcome, "seconds": time.monotonic() - started, "peak": tracemalloc.get_traced_memory()[1]}}))
"""


def run_bounded(imports: str, body: str) -> dict:
    code = _CHILD.format(imports=imports, body=textwrap.indent(textwrap.dedent(body), "    "))
    unit = Path(__file__).resolve().parents[1]
    paths = [str(unit), str(unit / "engine"), *(p for p in sys.path if p)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


MB = 1024 * 1024


def test_the_format_bomb_stops_at_the_cap_fast_and_small():
    """100 KB of `{a}` with a 64 KiB value: about 2 GB if joined before the check."""
    found = run_bounded(
        "from relay.runtime.modules import ModuleContext, get_module",
        """
        module = get_module("transform.format")
        inputs = module.parse_inputs({"template": "{a}" * 33_333, "values": {"a": "x" * 65_536}})
        result = module.execute(inputs, ModuleContext(run_id="run_1", step_id="s", module_index=0))
        """,
    )
    assert found["outcome"].startswith("INVALID_MODULE_INPUT: transform.format: the formatted value passes 1000000 characters")
    assert found["peak"] < 64 * MB and found["seconds"] < 5, found


def test_the_bomb_guard_itself_catches_unbounded_building():
    """The child's cap is real: str.format of the same bomb (what the module did before it
    built piece by piece) runs out of memory there."""
    found = run_bounded("", """result = len(("{a}" * 33_333).format(a="x" * 65_536))""")
    assert found["outcome"] == "MemoryError", found


@pytest.mark.parametrize("template", ["{a}{a}", "x{a}y", "{a:>20}{a!r}"])
def test_formats_up_to_the_cap_exactly(template):
    from relay.runtime.modules import ModuleContext, get_module
    from relay.runtime.modules.transform import MAX_OUTPUT_CHARS

    module = get_module("transform.format")
    ctx = ModuleContext(run_id="run_1", step_id="s", module_index=0)
    expected = template.format(a="v")
    assert module.execute(module.parse_inputs({"template": template, "values": {"a": "v"}}), ctx) == {"value": expected}
    width = MAX_OUTPUT_CHARS // 2
    fits = module.execute(module.parse_inputs({"template": "{a}{a}", "values": {"a": "z" * width}}), ctx)
    assert len(fits["value"]) == MAX_OUTPUT_CHARS
    with pytest.raises(ModuleInputError) as info:
        module.execute(module.parse_inputs({"template": "{a}{a}!", "values": {"a": "z" * width}}), ctx)
    assert info.value.code == "INVALID_MODULE_INPUT"


def test_a_state_reference_copied_many_times_stops_at_the_cap():
    """A 100 KiB state value named 20,000 times inside a format's values: 2 GB once str() or
    JSON writes the list. Refused while resolving, through the interpreter."""
    found = run_bounded(
        "from builders import compile_workflow, fmt, step\nfrom engine_helpers import go",
        """
        wf = compile_workflow(step("s", fmt("{a}", {"a": ["$state.big"] * 20_000}, to="out")))
        advanced = go(wf, state={"big": "b" * (100 * 1024)})
        result = advanced.error.code + ": " + advanced.error.message
        """,
    )
    assert found["outcome"].startswith("INVALID_MODULE_INPUT: "), found
    assert f"more than {MAX_REFERENCED_BYTES} bytes" in found["outcome"] and "$state.big" in found["outcome"]
    assert found["peak"] < 64 * MB and found["seconds"] < 5, found


def test_a_pause_naming_a_value_many_times_stops_at_the_cap():
    """user.select's 1,000 options each naming a 100 KiB value: the pause's size check
    serialised all 100 MB of them before it could refuse them."""
    found = run_bounded(
        "from builders import compile_workflow, select, step\nfrom engine_helpers import go",
        """
        wf = compile_workflow(step("s", select("Pick", [{"value": f"v{i}", "label": "$state.big"} for i in range(1000)], to="out")))
        advanced = go(wf, state={"big": "b" * (100 * 1024)})
        result = advanced.error.code + ": " + advanced.error.message
        """,
    )
    assert found["outcome"].startswith("INVALID_MODULE_INPUT: ") and f"more than {MAX_REFERENCED_BYTES} bytes" in found["outcome"]
    assert found["peak"] < 64 * MB and found["seconds"] < 5, found


def test_references_within_the_cap_resolve_as_before():
    big = "q" * (200 * KIB)
    scope = {"state": {"big": big, "doc": {"n": [1, 2]}}, "run": {}, "step": {}}
    resolved = resolve({"a": ["$state.big"] * 5, "b": "$state.doc", "c": "literal"}, scope)
    assert resolved == {"a": [big] * 5, "b": {"n": [1, 2]}, "c": "literal"}
    with pytest.raises(ModuleInputError) as info:
        resolve({"a": ["$state.big"] * 6}, scope)
    assert info.value.code == "INVALID_MODULE_INPUT" and "at reference 6, $state.big" in str(info.value)
    # The cap counts what references bring, not the literals around them.
    assert resolve({"text": "w" * (2 * MAX_REFERENCED_BYTES)}, scope, max_referenced_bytes=10)["text"].startswith("w")


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-(10**12), 10**12)
    if kind == 2:
        return rng.random() * 10 ** rng.randint(-5, 20)
    if kind in (3, 4):
        return "".join(rng.choice('aé"\\\n\x01€😀 ') for _ in range(rng.randrange(12)))
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    keys = [rng.choice(["k", "é", 'q"', 1, 2.5, True, None]) for _ in range(rng.randrange(5))]
    return {key: _random_json(rng, depth + 1) for key in keys}


def test_the_capped_size_is_json_size_exactly():
    rng = random.Random(15)
    for _ in range(500):
        value = _random_json(rng)
        shared = [value, value, {"again": value}]
        for item in (value, shared):
            size = json_size(item)
            assert json_size_capped(item, size) == size
            assert json_size_capped(item, 10**9) == size
            if size > 0:
                assert json_size_capped(item, size - 1) == size  # over the limit: limit + 1


def test_the_capped_size_of_a_shared_bomb_is_found_without_building_it():
    leaf = "x" * (64 * KIB)
    bomb = [[leaf] * 1000] * 1000  # 64 GB as JSON
    assert json_size_capped(bomb, MAX_REFERENCED_BYTES) == MAX_REFERENCED_BYTES + 1
    assert json_size_capped([leaf] * 3, 10**9) == json_size([leaf] * 3)
