"""relay_tools.local.cfn.load_template: YAML short-form intrinsics become their long form."""

from __future__ import annotations

import textwrap

import pytest

from relay_tools.local.cfn import load_template

YAML = """
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref Stage
      Arn1: !GetAtt Table.Arn
      Arn2: !GetAtt [Table, Arn]
      Nested: !GetAtt Db.Endpoint.Address
      Sub1: !Sub "${Stage}-table-${AWS::Region}"
      Sub2: !Sub
        - "${Name}.${Stage}"
        - Name: !Ref Stage
      Joined: !Join ["-", [a, !Ref Stage, c]]
      Picked: !Select [1, !Split [",", "x,y,z"]]
      Maybe: !If [IsProd, 1, 2]
      Cond: !Condition IsProd
      Plain: [1, "two", {k: v}]
"""


@pytest.fixture
def props(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(YAML), encoding="utf-8")
    return load_template(path)["Resources"]["Table"]["Properties"]


def test_ref(props):
    assert props["TableName"] == {"Ref": "Stage"}


def test_get_att_dotted_and_list_forms(props):
    assert props["Arn1"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert props["Arn2"] == {"Fn::GetAtt": ["Table", "Arn"]}


def test_get_att_splits_at_the_first_dot_only(props):
    assert props["Nested"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}


def test_sub_string_and_list_forms(props):
    assert props["Sub1"] == {"Fn::Sub": "${Stage}-table-${AWS::Region}"}
    assert props["Sub2"] == {"Fn::Sub": ["${Name}.${Stage}", {"Name": {"Ref": "Stage"}}]}


def test_join_select_split(props):
    assert props["Joined"] == {"Fn::Join": ["-", ["a", {"Ref": "Stage"}, "c"]]}
    assert props["Picked"] == {"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}


def test_other_functions_and_conditions(props):
    assert props["Maybe"] == {"Fn::If": ["IsProd", 1, 2]}
    assert props["Cond"] == {"Condition": "IsProd"}


def test_plain_yaml_is_untouched(props):
    assert props["Plain"] == [1, "two", {"k": "v"}]


def test_unknown_tags_are_refused(tmp_path):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text("X: !python/object:os.system echo\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):
        load_template(path)
