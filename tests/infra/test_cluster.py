"""The cluster layer (``cluster/``): the stage's Kubernetes objects, applied from inside its VPC."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pulumi_kubernetes as k8s
import pytest

from infra import cluster as cluster_program
from infra.cluster import ClusterObjects, build_cluster_objects
from infra.config import ConfigError, StageConfig
from infra.config.cluster import CLUSTER_KEY, load_cluster_config
from infra.config.stackfiles import load_stack
from stagecraft import cli
from stagecraft.plan.build import plan_stack
from stagecraft.plan.inventory import SECRET, Inventory, RecordedResource
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram, ShippedPlan
from tests.infra.config.conftest import load, values

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
OFFICE = "203.0.113.0/24"
CIDRS = {"development": "10.10.0.0/16", "staging": "10.20.0.0/16", "production": "10.30.0.0/16"}
STACKS = {"development": "dev", "staging": "staging", "production": "production"}
_profiles = pytest.mark.parametrize("profile", ["development", "staging", "production"])


def _config(profile: str, **settings: Any) -> StageConfig:
    compute = settings.pop("compute", {})
    eks: dict[str, Any] = {"enabled": True, "admin_principal_arns": [ADMIN]}
    if profile != "production":
        eks["public_access_cidrs"] = [OFFICE]
    compute.setdefault("eks", eks)
    stage = values(profile=profile, network={"cidr": CIDRS[profile]}, compute=compute, **settings)
    return load(stage, stack=STACKS[profile])


def _objects(run: RunProgram, config: StageConfig) -> tuple[Inventory, ClusterObjects]:
    built: dict[str, ClusterObjects] = {}

    def program() -> None:
        provider = k8s.Provider("cluster-k8s", kubeconfig="{}")
        built["objects"] = build_cluster_objects(config, provider)

    return run(program), built["objects"]


def _k8s(inv: Inventory) -> list[RecordedResource]:
    return [r for r in inv.resources if r.type.startswith("kubernetes:")]


@_profiles
def test_every_kubernetes_object_goes_through_the_given_provider(run: RunProgram, profile: str) -> None:
    inv, _ = _objects(run, _config(profile))
    [provider] = inv.of_type("pulumi:providers:kubernetes")
    objects = _k8s(inv)
    # namespace, quota, limit range, two network policies, role, binding, the migrations service account
    assert len(objects) == 8
    for obj in objects:
        assert obj.provider is not None and obj.provider.startswith(provider.urn), obj.name


@pytest.mark.parametrize(
    ("profile", "level"), [("development", "baseline"), ("staging", "restricted"), ("production", "restricted")]
)
def test_namespace_pod_security_labels_per_profile(run: RunProgram, profile: str, level: str) -> None:
    inv, _ = _objects(run, _config(profile))
    namespace = inv.one("kubernetes:core/v1:Namespace").inputs["metadata"]
    assert namespace["name"] == f"amani-backend-{STACKS[profile]}"
    labels = namespace["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == level
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.35"
    assert labels["app.kubernetes.io/part-of"] == "amani-backend"


def test_configured_namespaces_quota_policies_and_role_binding(run: RunProgram) -> None:
    namespaces = [
        {
            "quota": {
                "requests_cpu": 4,
                "requests_memory": "8Gi",
                "limits_cpu": 8,
                "limits_memory": "16Gi",
                "pods": 30,
            },
            "container_defaults": {"default_cpu": "1", "default_memory": "1Gi"},
            "allow_ingress_from": ["ingress-nginx"],
        },
    ]
    eks = {"enabled": True, "admin_principal_arns": [ADMIN], "public_access_cidrs": [OFFICE]}
    inv, _ = _objects(run, _config("staging", compute={"eks": eks, "namespaces": namespaces}))
    quota = inv.one("kubernetes:core/v1:ResourceQuota").inputs
    assert quota["spec"]["hard"] == {
        "requests.cpu": "4",
        "requests.memory": "8Gi",
        "limits.cpu": "8",
        "limits.memory": "16Gi",
        "pods": "30",
    }
    [limit] = inv.one("kubernetes:core/v1:LimitRange").inputs["spec"]["limits"]
    assert limit["default"] == {"cpu": "1", "memory": "1Gi"}
    assert limit["defaultRequest"] == {"cpu": "100m", "memory": "128Mi"}
    policies = {
        p.inputs["metadata"]["name"]: p.inputs["spec"]
        for p in inv.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    }
    assert set(policies) == {"default-deny-ingress", "allow-same-namespace", "allow-from-ingress-nginx"}
    assert policies["default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": []}
    assert policies["allow-same-namespace"]["ingress"] == [{"from": [{"podSelector": {}}]}]
    assert policies["allow-from-ingress-nginx"]["ingress"] == [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}
    ]
    binding = inv.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs
    assert binding["metadata"]["namespace"] == "amani-backend-staging"
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"}
    assert binding["subjects"] == [
        {"kind": "Group", "name": "stagecraft:deployers", "apiGroup": "rbac.authorization.k8s.io"}
    ]


def test_the_migration_service_account_is_the_one_the_stage_associates(run: RunProgram) -> None:
    """The stage's Pod Identity association names ``<first namespace>/migrations`` (infra/migrations.py); the
    cluster layer must create exactly that account, after its namespace."""
    config = _config("staging")
    inv, objects = _objects(run, config)
    account = inv.one("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["metadata"]["name"] == "migrations"
    assert (
        account.inputs["metadata"]["namespace"]
        == config.settings.compute.namespace_specs("amani-backend-staging")[0].name
    )
    namespace = inv.one("kubernetes:core/v1:Namespace")
    assert inv.depends_on(account.urn, namespace.urn)
    assert objects.migration_service_account is not None

    without = _config("staging", database={"enabled": False}, backups={"enabled": False})
    inv, objects = _objects(run, without)
    assert not inv.of_type("kubernetes:core/v1:ServiceAccount") and objects.migration_service_account is None


# -- the layer: its stack files, its StackReference, its config ---------------------------------------------


def _stage_stacks_with_eks() -> set[str]:
    stacks = set()
    for path in ROOT.glob("Pulumi.*.yaml"):
        stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        stage = load_stack(ROOT, stack).values["stagecraft:stage"]
        if stage.get("compute", {}).get("eks", {}).get("enabled"):
            stacks.add(stack)
    return stacks


def test_every_shipped_stage_with_eks_has_a_cluster_stack_of_the_same_name() -> None:
    shipped = {p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (ROOT / "cluster").glob("Pulumi.*.yaml")}
    assert shipped == _stage_stacks_with_eks() == {"staging", "production"}
    for stack in shipped:
        assert load_stack(ROOT / "cluster", stack).values[CLUSTER_KEY] == {"stage": stack}


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_the_cluster_stack_reads_the_stage_kubeconfig_through_a_stack_reference(
    shipped_plan: ShippedPlan, stack: str
) -> None:
    result = shipped_plan(ROOT / "cluster", stack)
    assert result.layer == "cluster" and result.profile == result.config.stage.profile  # type: ignore[union-attr]
    [provider] = result.inventory.of_type("pulumi:providers:kubernetes")
    # The stage's kubeconfig output is secret there, and stays secret here.
    assert provider.inputs["kubeconfig"] == SECRET
    assert not [r for r in result.inventory.resources if r.type.startswith("aws:")]
    assert [f for f in result.findings if f["level"] == "mandatory"] == []


def test_the_program_finds_the_stage_from_its_project_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``cluster/__main__.py``'s program as the CLI does: in ``cluster/``, reading ``../Pulumi.staging.yaml``."""
    monkeypatch.chdir(ROOT / "cluster")
    stack_file = load_stack(Path(), "staging")
    config, secret_keys = stack_file.engine_config()
    kubeconfig = json.dumps({"kind": "Config"})
    read: list[str] = []

    class Mocks(PlanMocks):
        def _stack_reference(self, name: str) -> tuple[str, dict[str, Any]]:
            read.append(name)
            return super()._stack_reference(name)

    inventory = run_program(
        cluster_program.main,
        project="stagecraft-cluster",
        stack="staging",
        config=config,
        secret_keys=secret_keys,
        mocks=Mocks(stack_outputs={"organization/stagecraft/staging": {"kubeconfig": kubeconfig}}),
    )
    # The DIY backend's fully qualified name of the root project's stack, read once.
    assert read == ["organization/stagecraft/staging"]
    assert inventory.one("pulumi:providers:kubernetes").inputs["kubeconfig"] == kubeconfig
    assert inventory.outputs["namespaces"] == ["amani-backend-staging"]
    assert inventory.outputs["stage"] == "staging"


def test_a_stage_output_the_layer_reads_must_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stagecraft.plan.build.STAGE_OUTPUTS", ("kubeconfig", "cluster_ca"))
    with pytest.raises(ConfigError) as caught:
        plan_stack(ROOT / "cluster", "staging")
    [problem] = caught.value.problems
    assert problem.key == f"{CLUSTER_KEY}.stage"
    assert "stage stack 'staging' exports no 'cluster_ca'" in problem.message


def _project(tmp_path: Path, cluster: str, stage: dict[str, Any] | None = None) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    shutil.copy(ROOT / "Pulumi.staging.yaml", tmp_path / "Pulumi.staging.yaml")
    if stage is not None:
        (tmp_path / "Pulumi.ecs.yaml").write_text(json.dumps({"config": stage}))
    (tmp_path / "cluster").mkdir()
    shutil.copy(ROOT / "cluster" / "Pulumi.yaml", tmp_path / "cluster" / "Pulumi.yaml")
    shutil.copy(ROOT / "cluster" / "__main__.py", tmp_path / "cluster" / "__main__.py")
    (tmp_path / "cluster" / "Pulumi.odd.yaml").write_text(cluster)
    return tmp_path / "cluster"


@pytest.mark.parametrize(
    ("config", "key", "message"),
    [
        ("config:\n  stagecraft:cluster: {}\n", "stagecraft:cluster.stage", "required"),
        (
            "config:\n  stagecraft:cluster: {stage: qa}\n",
            "stagecraft:cluster.stage",
            "'qa' names no readable stage stack",
        ),
        ("config:\n  stagecraft:cluster: {stage: Staging!}\n", "stagecraft:cluster.stage", "Staging!"),
        (
            "config:\n  stagecraft:cluster: {stage: staging, stack: x}\n",
            "stagecraft:cluster.stack",
            "did you mean 'stage'",
        ),
        ("config:\n  stagecraft:cluster: staging\n", "stagecraft:cluster", "must be a mapping"),
        (
            "config:\n  stagecraft:cluster: {stage: staging}\n  stagecraft:stage: {}\n",
            "stagecraft:cluster",
            "exactly one of",
        ),
    ],
)
def test_bad_cluster_config_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str, key: str, message: str
) -> None:
    cwd = _project(tmp_path, config)
    assert cli.main(["--cwd", str(cwd), "plan", "odd"]) == 2
    err = capsys.readouterr().err
    assert key in err and message in err and "Traceback" not in err


def test_a_stage_without_eks_has_no_cluster_stack(tmp_path: Path) -> None:
    stage = load_stack(ROOT, "staging").placeholder_values()
    stage["stagecraft:stage"]["compute"] = {"eks": {"enabled": False}}
    stage["stagecraft:stage"].pop("github", None)
    cwd = _project(tmp_path, "config:\n  stagecraft:cluster: {stage: ecs}\n", stage)
    with pytest.raises(ConfigError) as caught:
        load_cluster_config("odd", {CLUSTER_KEY: {"stage": "ecs"}}, stage_dir=cwd.parent)
    [problem] = caught.value.problems
    assert problem.key == f"{CLUSTER_KEY}.stage" and "has no EKS cluster" in problem.message


def test_the_stage_secrets_are_neither_needed_nor_read(tmp_path: Path) -> None:
    """The cluster stack cannot decrypt the stage's secrets (another stack's data key), and needs none: a stage
    whose declared secrets are unset still gives its cluster layer a config."""
    config = load_cluster_config("staging", {CLUSTER_KEY: {"stage": "staging"}}, stage_dir=ROOT)
    assert config.stage.stage == "staging" and config.stage.secrets.environment == ()
