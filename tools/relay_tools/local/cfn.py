"""Read a CloudFormation/SAM template and resolve its intrinsic functions to local values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

_SCALAR_TAGS = {
    "!Ref": lambda v: {"Ref": v},
    "!GetAtt": lambda v: {"Fn::GetAtt": v.split(".", 1) if isinstance(v, str) else v},
    "!Condition": lambda v: {"Condition": v},
}
_FUNCTIONS = [
    "Sub",
    "Join",
    "If",
    "Equals",
    "Select",
    "Split",
    "FindInMap",
    "GetAZs",
    "Base64",
    "Not",
    "And",
    "Or",
    "ImportValue",
    "Cidr",
]


class _Loader(yaml.SafeLoader):
    pass


def _construct(tag: str):
    def build(loader: yaml.Loader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        elif isinstance(node, yaml.MappingNode):
            value = loader.construct_mapping(node, deep=True)
        else:
            raise yaml.constructor.ConstructorError(None, None, f"{tag} on a {type(node).__name__}", node.start_mark)
        if tag in _SCALAR_TAGS:
            return _SCALAR_TAGS[tag](value)
        return {f"Fn::{tag[1:]}": value}

    return build


for _tag in [*_SCALAR_TAGS, *(f"!{name}" for name in _FUNCTIONS)]:
    _Loader.add_constructor(_tag, _construct(_tag))


def load_template(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects


class UnsupportedIntrinsicError(ValueError):
    pass


class UnsupportedPropertyError(ValueError):
    """A resource property template.yaml may use in the cloud that the local cloud cannot
    reproduce: the deploy stops and names it, rather than build something different."""


class Resolver:
    """Resolves `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split` against
    parameter values, pseudo parameters, and each resource's local name and attributes."""

    def __init__(
        self,
        parameters: dict[str, Any],
        pseudo: dict[str, str | None],
        refs: dict[str, str],
        attributes: dict[str, dict[str, str]],
        conditions: dict[str, bool] | None = None,
    ) -> None:
        self.parameters = parameters
        self.pseudo = pseudo
        self.refs = refs
        self.attributes = attributes
        self.conditions = conditions or {}

    def condition(self, name: str) -> bool:
        try:
            return self.conditions[name]
        except KeyError:
            raise KeyError(f"condition {name}: not in the template's Conditions") from None

    def ref(self, name: str) -> Any:
        for table in (self.parameters, self.pseudo, self.refs):
            if name in table:
                return table[name]
        raise KeyError(f"!Ref {name}: no such parameter or resource")

    def get_att(self, resource: str, attribute: str) -> str:
        try:
            return self.attributes[resource][attribute]
        except KeyError:
            raise KeyError(f"!GetAtt {resource}.{attribute}: not known locally") from None

    def sub(self, template: str, extra: dict[str, Any] | None = None) -> str:
        extra = extra or {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in extra:
                return str(self.resolve(extra[name]))
            if "." in name and not name.startswith("AWS::"):
                return self.get_att(*name.split(".", 1))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, template)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                return self.get_att(arg[0], arg[1])
            if key == "Fn::Sub":
                if isinstance(arg, str):
                    return self.sub(arg)
                return self.sub(arg[0], arg[1])
            if key == "Fn::Join":
                return arg[0].join(str(self.resolve(v)) for v in self.resolve(arg[1]))
            if key == "Fn::Select":
                return self.resolve(arg[1])[int(self.resolve(arg[0]))]
            if key == "Fn::Split":
                return self.resolve(arg[1]).split(arg[0])
            if key == "Fn::If":  # only the branch taken is resolved, as CloudFormation does
                return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
            if key.startswith("Fn::"):
                raise UnsupportedIntrinsicError(f"{key} is not supported by the local cloud")
        return {k: self.resolve(v) for k, v in value.items()}


def evaluate_conditions(conditions: dict[str, Any], resolver: Resolver) -> dict[str, bool]:
    """A template's `Conditions` against its parameter values: Fn::Equals, Fn::Not, Fn::And,
    Fn::Or and `Condition` (one condition naming another, in any order)."""
    values: dict[str, bool] = {}

    def named(name: str, seen: tuple[str, ...]) -> bool:
        if name not in values:
            if name in seen:
                raise UnsupportedIntrinsicError(f"condition {name} refers to itself")
            if name not in conditions:
                raise KeyError(f"condition {name}: not in the template's Conditions")
            values[name] = evaluate(conditions[name], (*seen, name))
        return values[name]

    def evaluate(expression: Any, seen: tuple[str, ...]) -> bool:
        ((key, arg),) = expression.items()
        if key == "Condition":
            return named(arg, seen)
        if key == "Fn::Equals":
            left, right = (resolver.resolve(v) for v in arg)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not evaluate(arg[0], seen)
        if key == "Fn::And":
            return all(evaluate(v, seen) for v in arg)
        if key == "Fn::Or":
            return any(evaluate(v, seen) for v in arg)
        raise UnsupportedIntrinsicError(f"{key} in a condition is not supported by the local cloud")

    for name in conditions:
        named(name, ())
    return values
