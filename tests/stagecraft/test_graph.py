from __future__ import annotations

import re

import pytest

from stagecraft.graph import mermaid
from stagecraft.plan.inventory import RecordedResource
from tests.stagecraft.factory import inventory, res

_NODE = re.compile(r'^    ([A-Za-z0-9_]+)\["((?:[^"\\]|#quot;)*)"\]$')
_EDGE = re.compile(r"^    ([A-Za-z0-9_]+) --> ([A-Za-z0-9_]+)$")
_RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classDef", "click", "linkStyle"}


def parse_flowchart(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """A strict check of the Mermaid flowchart subset `mermaid` emits; returns (nodes, edges).

    No Mermaid parser runs offline here, so this checks the grammar we rely on: the header, node
    declarations ``id["label"]`` with quotes escaped as ``#quot;``, edges ``a --> b`` between declared ids.
    """
    assert text.endswith("\n") and "\t" not in text
    header, *body = text.rstrip("\n").split("\n")
    assert header == "flowchart LR"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    for line in body:
        if node := _NODE.match(line):
            ident, label = node.groups()
            assert ident not in nodes and ident not in _RESERVED, line
            assert not edges, "node declarations come before edges"
            nodes[ident] = label.replace("#quot;", '"')
        elif edge := _EDGE.match(line):
            assert edge[1] in nodes and edge[2] in nodes, f"undeclared endpoint in {line!r}"
            edges.append((edge[1], edge[2]))
        else:
            raise AssertionError(f"not Mermaid flowchart syntax: {line!r}")
    assert len(set(edges)) == len(edges)
    return nodes, edges


def _stage() -> list[RecordedResource]:
    net = res("stagecraft:network:Network", "stg", custom=False)
    vpc = res("aws:ec2/vpc:Vpc", "stg-vpc", parent=net.urn)
    subnet = res("aws:ec2/subnet:Subnet", "stg-private-a", deps=(vpc.urn,), parent=net.urn)
    cluster = res("stagecraft:compute:Cluster", "stg-eks", custom=False)
    role = res("aws:iam/role:Role", "stg-eks-role", parent=cluster.urn)
    eks = res("aws:eks/cluster:Cluster", "stg-eks", deps=(subnet.urn, role.urn), parent=cluster.urn)
    db = res("stagecraft:data:Database", "stg-db", custom=False)
    inner = res("stagecraft:data:Backups", "stg-db-backups", custom=False, parent=db.urn)
    bucket = res("aws:s3/bucket:Bucket", "stg-db-backups", parent=inner.urn)
    rds = res("aws:rds/instance:Instance", "stg-db", deps=(net.urn,), parent=db.urn)
    delivery = res("stagecraft:delivery:Pipeline", "stg-app", custom=False)
    secret = res("github:index/actionsSecret:ActionsSecret", "stg-app", deps=(eks.urn, subnet.urn), parent=delivery.urn)
    provider = res("pulumi:providers:aws", "default")
    key = res("aws:kms/key:Key", 'odd "end" key')
    return [net, vpc, subnet, cluster, role, eks, db, inner, bucket, rds, delivery, secret, provider, key]


def test_components_and_their_dependencies() -> None:
    nodes, edges = parse_flowchart(mermaid(inventory(*_stage())))
    assert sorted(nodes.values()) == [
        "Backups stg-db-backups",
        "Cluster stg-eks",
        "Database stg-db",
        'Key odd "end" key',
        "Network stg",
        "Pipeline stg-app",
    ]
    named = {(nodes[a], nodes[b]) for a, b in edges}
    assert named == {
        ("Network stg", "Cluster stg-eks"),
        ("Network stg", "Database stg-db"),
        ("Cluster stg-eks", "Pipeline stg-app"),
    }, "the direct Network -> Pipeline edge is implied by Network -> Cluster -> Pipeline"


def test_ids_are_safe_unique_and_output_is_deterministic() -> None:
    resources = _stage()
    text = mermaid(inventory(*resources))
    assert text == mermaid(inventory(*reversed(resources)))
    nodes, _ = parse_flowchart(text)
    assert "n_odd__end__key" in nodes
    twins = inventory(res("aws:kms/key:Key", "a-b"), res("aws:kms/key:Key", "a_b"))
    assert sorted(parse_flowchart(mermaid(twins))[0]) == ["n_a_b", "n_a_b_2"]


def test_cyclic_component_graphs_keep_every_edge() -> None:
    a = res("stagecraft:test:A", "a", custom=False)
    b = res("stagecraft:test:B", "b", custom=False)
    a1 = res("aws:iam/role:Role", "a1", parent=a.urn)
    b1 = res("aws:iam/role:Role", "b1", deps=(a1.urn,), parent=b.urn)
    a2 = res("aws:iam/rolePolicy:RolePolicy", "a2", deps=(b1.urn,), parent=a.urn)
    _, edges = parse_flowchart(mermaid(inventory(a, b, a1, b1, a2)))
    assert sorted(edges) == [("n_a", "n_b"), ("n_b", "n_a")]


@pytest.mark.parametrize(
    "bad",
    [
        "graph TD\n",
        'flowchart LR\n    a-b["x"]\n',
        'flowchart LR\n    a["say "hi""]\n',
        'flowchart LR\n    a["x"]\n    a --> b\n',
        'flowchart LR\n    end["x"]\n',
    ],
)
def test_the_grammar_check_rejects_invalid_flowcharts(bad: str) -> None:
    with pytest.raises(AssertionError):
        parse_flowchart(bad)
