"""relay_tools.local.cfn.Resolver: intrinsic functions against local names and values."""

from __future__ import annotations

import pytest

from relay_tools.local.cfn import Resolver, UnsupportedIntrinsicError


@pytest.fixture
def resolver():
    return Resolver(
        parameters={"Stage": "dev", "Count": 3},
        pseudo={"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::NoValue": None},
        refs={"Table": "stack-Table", "Machine": "arn:aws:states:eu-west-1:1:stateMachine:m"},
        attributes={"Table": {"Arn": "arn:aws:dynamodb:eu-west-1:1:table/stack-Table"}, "Db": {"Endpoint.Address": "db.local"}},
    )


def test_ref_to_parameter_pseudo_and_resource(resolver):
    assert resolver.resolve({"Ref": "Stage"}) == "dev"
    assert resolver.resolve({"Ref": "Count"}) == 3
    assert resolver.resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert resolver.resolve({"Ref": "Table"}) == "stack-Table"


def test_parameters_win_over_resources(resolver):
    resolver.refs["Stage"] = "resource"
    assert resolver.resolve({"Ref": "Stage"}) == "dev"


def test_unknown_ref(resolver):
    with pytest.raises(KeyError, match="Nope"):
        resolver.resolve({"Ref": "Nope"})


def test_get_att(resolver):
    assert resolver.resolve({"Fn::GetAtt": ["Table", "Arn"]}) == "arn:aws:dynamodb:eu-west-1:1:table/stack-Table"
    assert resolver.resolve({"Fn::GetAtt": ["Db", "Endpoint.Address"]}) == "db.local"
    with pytest.raises(KeyError, match=r"Table\.Name"):
        resolver.resolve({"Fn::GetAtt": ["Table", "Name"]})


def test_sub_string_form(resolver):
    value = {"Fn::Sub": "${Table}/${Stage}/${AWS::AccountId}/${Table.Arn}"}
    assert resolver.resolve(value) == "stack-Table/dev/123456789012/arn:aws:dynamodb:eu-west-1:1:table/stack-Table"


def test_sub_list_form_with_a_variable_map(resolver):
    value = {"Fn::Sub": ["${Name}-${Stage}-${N}", {"Name": {"Ref": "Table"}, "N": 7, "Stage": "override"}]}
    assert resolver.resolve(value) == "stack-Table-override-7"


def test_sub_escape_is_literal(resolver):
    assert resolver.resolve({"Fn::Sub": "${!Literal}-${Stage}"}) == "${Literal}-dev"


def test_sub_unknown_variable(resolver):
    with pytest.raises(KeyError):
        resolver.resolve({"Fn::Sub": "${Missing}"})


def test_join(resolver):
    assert resolver.resolve({"Fn::Join": [":", ["a", {"Ref": "Stage"}, 5]]}) == "a:dev:5"
    assert resolver.resolve({"Fn::Join": ["", []]}) == ""


def test_select_and_split(resolver):
    value = {"Fn::Select": [2, {"Fn::Split": ["-", {"Fn::Sub": "x-${Stage}-z"}]}]}
    assert resolver.resolve(value) == "z"
    assert resolver.resolve({"Fn::Select": ["0", ["first", "second"]]}) == "first"


def test_resolves_inside_lists_and_maps(resolver):
    value = {"A": [{"Ref": "Stage"}, {"B": {"Ref": "Table"}}], "C": 1, "D": None}
    assert resolver.resolve(value) == {"A": ["dev", {"B": "stack-Table"}], "C": 1, "D": None}


def test_single_key_maps_that_are_not_functions_are_plain(resolver):
    assert resolver.resolve({"Key": {"Ref": "Stage"}}) == {"Key": "dev"}
    assert resolver.resolve({"Condition": "IsProd"}) == {"Condition": "IsProd"}


@pytest.mark.parametrize(
    "value",
    [
        {"Fn::GetAZs": ""},  # Fn::If is supported (Conditions): tests/unit/local/test_cfn_conditions.py
        {"Fn::FindInMap": ["M", "k", "v"]},
        {"Fn::ImportValue": "x"},
        {"Outer": [{"Fn::Base64": "x"}]},
    ],
)
def test_unsupported_functions(resolver, value):
    with pytest.raises(UnsupportedIntrinsicError):
        resolver.resolve(value)
