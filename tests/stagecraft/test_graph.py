from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import networkx as nx
import pytest

from stagecraft.graph import component_graph, mermaid
from stagecraft.plan.build import plan_stack
from stagecraft.plan.inventory import RecordedResource
from tests.stagecraft.factory import inventory, res

ROOT = Path(__file__).resolve().parents[2]

_SUBGRAPH = re.compile(r'^    subgraph (g_[a-z0-9_]+)\["([a-z0-9_-]+)"\]$')
_NODE = re.compile(r'^        ([a-z0-9_]+)\["((?:[^"\\]|#quot;)*)"\]$')
_EDGE = re.compile(r"^    ([a-z0-9_]+) --> ([a-z0-9_]+)$")
_RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classDef", "click", "linkStyle"}


def parse_flowchart(text: str) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """A strict check of the Mermaid flowchart subset `mermaid` emits; returns (nodes, edges, node -> group).

    No Mermaid parser runs offline here, so this checks the grammar we rely on: the header, one ``subgraph``
    block per group closed by ``end``, node declarations ``id["label"]`` inside them with quotes escaped as
    ``#quot;``, then edges ``a --> b`` between declared ids.
    """
    assert text.endswith("\n") and "\t" not in text
    header, *body = text.rstrip("\n").split("\n")
    assert header == "flowchart LR"
    nodes: dict[str, str] = {}
    groups: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    group: str | None = None
    for line in body:
        if sub := _SUBGRAPH.match(line):
            assert group is None and not edges, line
            group = sub[2]
        elif line == "    end":
            assert group is not None, line
            group = None
        elif node := _NODE.match(line):
            ident, label = node.groups()
            assert group is not None and ident not in nodes and ident not in _RESERVED, line
            nodes[ident] = label.replace("#quot;", '"')
            groups[ident] = group
        elif edge := _EDGE.match(line):
            assert group is None, "edges come after the subgraphs"
            assert edge[1] in nodes and edge[2] in nodes, f"undeclared endpoint in {line!r}"
            edges.append((edge[1], edge[2]))
        else:
            raise AssertionError(f"not Mermaid flowchart syntax: {line!r}")
    assert group is None and len(set(edges)) == len(edges)
    return nodes, edges, groups


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
    nodes, edges, groups = parse_flowchart(mermaid(inventory(*_stage())))
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
    assert {groups[i] for i, label in nodes.items() if label.startswith(("Database", "Backups"))} == {"data"}
    assert groups[next(i for i, label in nodes.items() if label.startswith("Key"))] == "stack"


def test_ids_are_readable_unique_and_output_is_deterministic() -> None:
    resources = _stage()
    text = mermaid(inventory(*resources))
    assert text == mermaid(inventory(*reversed(resources)))
    nodes, _, _ = parse_flowchart(text)
    assert {"network_network", "compute_eks", "data_db", "data_db_backups", "stack_odd_end_key"} <= set(nodes)
    twins = inventory(res("aws:kms/key:Key", "x-a-b"), res("aws:kms/key:Key", "x-a_b"))
    assert sorted(parse_flowchart(mermaid(twins))[0]) == ["stack_a_b", "stack_a_b_2"]


def _cycle() -> list[RecordedResource]:
    """Components a and b wait for each other; c waits for both, d for c and a."""
    a = res("stagecraft:test:A", "a", custom=False)
    b = res("stagecraft:test:B", "b", custom=False)
    a1 = res("aws:iam/role:Role", "a1", parent=a.urn)
    b1 = res("aws:iam/role:Role", "b1", deps=(a1.urn,), parent=b.urn)
    a2 = res("aws:iam/rolePolicy:RolePolicy", "a2", deps=(b1.urn,), parent=a.urn)
    c = res("stagecraft:test:C", "c", custom=False)
    c1 = res("aws:iam/role:Role", "c1", deps=(a2.urn, b1.urn), parent=c.urn)
    d = res("stagecraft:test:D", "d", custom=False)
    d1 = res("aws:iam/role:Role", "d1", deps=(c1.urn, a1.urn), parent=d.urn)
    return [a, b, a1, b1, a2, c, c1, d, d1]


def test_a_cycle_is_one_node_and_the_rest_is_still_reduced() -> None:
    graph = component_graph(inventory(*_cycle()))
    labels = {n.id: n.label for n in graph.nodes}
    assert labels["test_a"] == "A a + B b (wait for each other)"
    assert set(labels) == {"test_a", "test_c", "test_d"}
    assert graph.edges == (("test_a", "test_c"), ("test_c", "test_d")), "d's direct wait on a is implied via c"


def test_dependencies_through_a_provider_count() -> None:
    ref = res("pulumi:pulumi:StackReference", "organization/stagecraft/staging")
    provider = res("pulumi:providers:kubernetes", "staging-k8s", deps=(ref.urn,))
    spaces = res("stagecraft:compute:Namespaces", "stg", custom=False)
    namespace = res("kubernetes:core/v1:Namespace", "stg-app", parent=spaces.urn)
    namespace = dataclasses.replace(namespace, provider=provider.urn)
    graph = component_graph(inventory(ref, provider, spaces, namespace))
    assert graph.edges == (("stack_organization_stagecraft_staging", "compute_stg"),)
    assert graph.provider_edges == 1
    document = graph.to_json()
    assert document["schema_version"] == 1 and document["provider_edges"] == 1
    assert document["groups"] == {"compute": ["compute_stg"], "stack": ["stack_organization_stagecraft_staging"]}


def test_the_shipped_cluster_layer_waits_for_the_stage_through_its_provider() -> None:
    graph = component_graph(plan_stack(ROOT / "cluster", "production").inventory)
    assert ("stack_organization_stagecraft_production", "compute_namespaces") in graph.edges
    assert graph.provider_edges == 2  # the namespaces and the migrations ServiceAccount, before the reduction


def test_the_shipped_stage_reduces_around_its_cycles() -> None:
    """The EKS cluster and its node groups wait for each other; the rest of the graph is still reduced."""
    graph = component_graph(plan_stack(ROOT, "production").inventory)
    cycle = next(n for n in graph.nodes if n.id == "compute_eks_cluster")
    assert len(cycle.members) == 2 and cycle.label.endswith("(wait for each other)")
    reduced: nx.DiGraph[str] = nx.DiGraph(list(graph.edges))
    assert nx.is_directed_acyclic_graph(reduced)
    assert len(nx.transitive_reduction(reduced).edges) == len(reduced.edges)


@pytest.mark.parametrize(
    "bad",
    [
        "graph TD\n",
        'flowchart LR\n    subgraph g_x["x"]\n        a-b["x"]\n    end\n',
        'flowchart LR\n    subgraph g_x["x"]\n        a["say "hi""]\n    end\n',
        'flowchart LR\n    subgraph g_x["x"]\n        a["x"]\n    end\n    a --> b\n',
        'flowchart LR\n    subgraph g_x["x"]\n        end["x"]\n    end\n',
        'flowchart LR\n    subgraph g_x["x"]\n        a["x"]\n',
        'flowchart LR\n    a["x"]\n',
    ],
)
def test_the_grammar_check_rejects_invalid_flowcharts(bad: str) -> None:
    with pytest.raises(AssertionError):
        parse_flowchart(bad)
