"""List prices per million tokens, USD, as published by the providers on `AS_OF`.

Check the providers' pricing pages before relying on a figure; a model not listed here is
recorded with `cost_usd = None` (unknown), never guessed. `cached` input tokens are billed at
the cached rate instead of the input rate; reasoning tokens are output tokens (already counted
in `output` by both providers)."""

from __future__ import annotations

from decimal import Decimal

AS_OF = "2025-11-01"

# model (or a prefix ending in "*") → (input, cached input, output) USD per 1M tokens
PRICES: dict[str, tuple[str, str, str]] = {
    "gpt-5": ("1.25", "0.125", "10.00"),
    "gpt-5-mini": ("0.25", "0.025", "2.00"),
    "gpt-5-nano": ("0.05", "0.005", "0.40"),
    "gpt-4.1": ("2.00", "0.50", "8.00"),
    "gpt-4.1-mini": ("0.40", "0.10", "1.60"),
    "gpt-4o": ("2.50", "1.25", "10.00"),
    "gpt-4o-mini": ("0.15", "0.075", "0.60"),
    "claude-opus-4-1*": ("15.00", "1.50", "75.00"),
    "claude-sonnet-4-5*": ("3.00", "0.30", "15.00"),
    "claude-haiku-4-5*": ("1.00", "0.10", "5.00"),
    "echo-1": ("0", "0", "0"),
}

_MILLION = Decimal(1_000_000)


def price_of(model: str) -> tuple[Decimal, Decimal, Decimal] | None:
    entry = PRICES.get(model)
    if entry is None:
        candidates = [k for k in PRICES if k.endswith("*") and model.startswith(k[:-1])]
        entry = PRICES[max(candidates, key=len)] if candidates else None
    return None if entry is None else tuple(Decimal(x) for x in entry)  # type: ignore[return-value]


def priced_model(model: str) -> str | None:
    """The price list's name for `model` (a family for prefix entries), or None: a bounded
    label for metrics, where a model's full name (dated snapshots) would not be."""
    if model in PRICES:
        return model
    candidates = [k for k in PRICES if k.endswith("*") and model.startswith(k[:-1])]
    return max(candidates, key=len)[:-1] if candidates else None


def cost_usd(model: str, usage: dict[str, int]) -> str | None:
    """The call's cost as a decimal string (exact), or None when the model has no price here.

    `input` counts every input token, cached ones included (as both providers report it
    after normalisation); cached ones are billed at the cached rate."""
    prices = price_of(model)
    if prices is None:
        return None
    input_price, cached_price, output_price = prices
    cached = int(usage.get("cached", 0))
    fresh = max(int(usage.get("input", 0)) - cached, 0)
    total = (fresh * input_price + cached * cached_price + int(usage.get("output", 0)) * output_price) / _MILLION
    return format(total.quantize(Decimal("0.00000001")).normalize(), "f")
