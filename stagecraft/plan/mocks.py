"""Deterministic stand-ins for the cloud: plausible computed outputs per resource type and invoke results.

The real program dereferences computed outputs (an EKS cluster's OIDC issuer, an RDS instance's
master-secret ARN, a repository URL); these mocks fill them so the program runs to the end. Every
value is derived from the resource's name and inputs only, so the same stack gives the same plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi

from infra.config.network import region_code
from stagecraft.plan.inventory import SECRET

_ZONE_LETTERS = "abcdef"
ACCOUNT_ID = "123456789012"
"""The AWS account id the plan pretends to run in."""

Outputs = dict[str, Any]


def digest(*parts: str, length: int = 8) -> str:
    """A short stable hex digest of ``parts``."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def numeric_id(*parts: str) -> int:
    """A stable positive integer for ``parts`` (GitHub user and team ids are numbers)."""
    return int(digest(*parts, length=8), 16) % 90_000_000 + 10_000_000


class PlanMocks(pulumi.runtime.Mocks):
    """Mocks that answer like AWS, GitHub and Kubernetes would, deterministically."""

    def __init__(
        self,
        region: str = "us-east-1",
        github_owner: str = "example",
        account_id: str = ACCOUNT_ID,
        *,
        github_repositories: Sequence[str] = (),
        github_collaborators: Sequence[str] = (),
        github_visibility: str = "public",
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        zone_ids: Sequence[str] | None = None,
        missing_offerings: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.region = region
        self.github_owner = github_owner
        self.account_id = account_id
        self.github_repositories = tuple(github_repositories)
        """Repository names every team reaches (the offline plan: the stage's own repository)."""
        self.github_collaborators = tuple(github_collaborators)
        """Logins with access to any repository (the offline plan: the configured reviewers)."""
        self.github_visibility = github_visibility
        self.stack_outputs = {name: dict(outputs) for name, outputs in (stack_outputs or {}).items()}
        """Outputs of the stacks a StackReference may read, by fully qualified name (the offline plan: the
        referenced stack's own plan); a stack not listed has no outputs, so ``require_output`` fails."""
        code = region_code(region) or region
        self.zone_ids = tuple(zone_ids or (f"{code}-az{i + 1}" for i in range(len(_ZONE_LETTERS))))
        """The zone IDs of the zones ``<region>a``, ``<region>b``, ... in this pretend account (a test may map
        names to other physical zones than the offline plan's ``a`` -> ``az1``)."""
        self.missing_offerings = {zone: frozenset(types) for zone, types in (missing_offerings or {}).items()}
        """Zone ID -> the EC2 instance types and ``db.`` classes it does not offer; every zone offers every
        other type (the offline plan: everything everywhere)."""

    def offers(self, zone_id: str, type_: str) -> bool:
        """Whether the zone ``zone_id`` offers the EC2 instance type or database class ``type_``."""
        return type_ not in self.missing_offerings.get(zone_id, frozenset())

    def _stack_reference(self, name: str) -> tuple[str, Outputs]:
        outputs = self.stack_outputs.get(name, {})
        secret = sorted(key for key, value in outputs.items() if value == SECRET)
        return name, {"name": name, "outputs": outputs, "secretOutputNames": secret}

    # -- resources -------------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, Outputs]:
        inputs: Outputs = dict(args.inputs)
        typ = args.typ
        if typ.startswith("pulumi:providers:"):
            return f"{args.name}-id", inputs
        if typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(str(inputs.get("name", args.name)))
        resource_id = f"{args.name}-{digest(typ, args.name)}"
        outputs = dict(inputs)
        if typ.startswith("aws:"):
            outputs.setdefault("name", args.name)
            outputs.setdefault("tagsAll", inputs.get("tags", {}))
            special = _AWS.get(typ)
            if special is not None:
                resource_id, extra = special(self, args.name, inputs)
                outputs.update(extra)
            outputs.setdefault("arn", self._arn(typ, str(outputs.get("name", args.name))))
            for key in ("policy", "assumeRolePolicy"):
                if isinstance(outputs.get(key), dict | list):
                    outputs[key] = json.dumps(outputs[key])
        elif typ.startswith("github:"):
            outputs.setdefault("etag", digest(typ, args.name))
        elif typ.startswith("kubernetes:"):
            metadata = dict(outputs.get("metadata") or {})
            metadata.setdefault("name", f"{args.name}-{digest(args.name, length=8)}")
            outputs["metadata"] = metadata
        return resource_id, outputs

    def _arn(self, typ: str, name: str) -> str:
        service = typ.split(":")[1].split("/")[0]
        kind = typ.rsplit(":", 1)[-1].lower()
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{kind}/{name}"

    # -- invokes ---------------------------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[Outputs, list[tuple[str, str]] | None]:
        # MockMonitor.Invoke iterates the failures of a tuple answer, so "no failures" must be [] not None.
        handler = _INVOKES.get(args.token)
        if handler is None:
            return {}, []
        return handler(self, dict(args.args)), []


AwsOutputs = Callable[[PlanMocks, str, Outputs], tuple[str, Outputs]]
Invoke = Callable[[PlanMocks, Outputs], Outputs]


def _prefixed(prefix: str) -> AwsOutputs:
    def outputs(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
        return f"{prefix}-{digest(prefix, name, length=17)}", {}

    return outputs


def _vpc(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    vpc_id = f"vpc-{digest('vpc', name, length=17)}"
    return vpc_id, {
        "defaultSecurityGroupId": f"sg-{digest('default-sg', name, length=17)}",
        "mainRouteTableId": f"rtb-{digest('main-rtb', name, length=17)}",
        "arn": f"arn:aws:ec2:{m.region}:{m.account_id}:vpc/{vpc_id}",
    }


def _eip(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    allocation = f"eipalloc-{digest('eip', name, length=17)}"
    octets = [int(digest("ip", name, str(i), length=2), 16) for i in range(3)]
    return allocation, {"allocationId": allocation, "publicIp": f"3.{octets[0]}.{octets[1]}.{octets[2]}"}


def _kms_key(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    h = digest("kms", name, length=32)
    key_id = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return key_id, {"keyId": key_id, "arn": f"arn:aws:kms:{m.region}:{m.account_id}:key/{key_id}"}


def _rds_instance(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    identifier = str(inputs.get("identifier") or name)
    address = f"{identifier}.c{digest('rds', m.region, length=11)}.{m.region}.rds.amazonaws.com"
    secret = f"arn:aws:secretsmanager:{m.region}:{m.account_id}:secret:rds!db-{digest('secret', identifier)}-AbCdEf"
    port = int(inputs.get("port") or 5432)
    return identifier, {
        "identifier": identifier,
        "address": address,
        "port": port,
        "endpoint": f"{address}:{port}",
        "resourceId": f"db-{digest('resource', identifier, length=26).upper()}",
        "arn": f"arn:aws:rds:{m.region}:{m.account_id}:db:{identifier}",
        "masterUserSecrets": [
            {
                "secretArn": secret,
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ],
    }


def _eks_cluster(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    cluster = str(inputs.get("name") or name)
    oidc = digest("oidc", cluster, length=32).upper()
    return cluster, {
        "name": cluster,
        "endpoint": f"https://{oidc}.gr7.{m.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1PQ0sKLS0tLS1FTkQ="},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{m.region}.amazonaws.com/id/{oidc}"}]}],
        "arn": f"arn:aws:eks:{m.region}:{m.account_id}:cluster/{cluster}",
        "clusterId": digest("cluster-id", cluster, length=36),
        "vpcConfig": {
            **dict(inputs.get("vpcConfig") or {}),
            "clusterSecurityGroupId": f"sg-{digest('eks-sg', cluster, length=17)}",
        },
    }


def _ecr_repository(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    repo = str(inputs.get("name") or name)
    return repo, {
        "repositoryUrl": f"{m.account_id}.dkr.ecr.{m.region}.amazonaws.com/{repo}",
        "registryId": m.account_id,
        "arn": f"arn:aws:ecr:{m.region}:{m.account_id}:repository/{repo}",
    }


def _s3_bucket(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    bucket = str(inputs.get("bucket") or f"{name}-{digest('bucket', name)}")
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.{m.region}.amazonaws.com",
    }


def _iam_role(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    role = str(inputs.get("name") or f"{name}-{digest('role', name, length=7)}")
    return role, {
        "name": role,
        "arn": f"arn:aws:iam::{m.account_id}:role{inputs.get('path', '/')}{role}",
        "uniqueId": f"AROA{digest('role-id', role, length=17).upper()}",
    }


def _iam_policy(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    policy = str(inputs.get("name") or f"{name}-{digest('policy', name, length=7)}")
    arn = f"arn:aws:iam::{m.account_id}:policy{inputs.get('path', '/')}{policy}"
    return arn, {"name": policy, "arn": arn}


def _oidc_provider(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    host = str(inputs.get("url", name)).removeprefix("https://")
    arn = f"arn:aws:iam::{m.account_id}:oidc-provider/{host}"
    return arn, {"arn": arn}


def _log_group(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    group = str(inputs.get("name") or name)
    return group, {"name": group, "arn": f"arn:aws:logs:{m.region}:{m.account_id}:log-group:{group}"}


def _ecs_cluster(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    cluster = str(inputs.get("name") or name)
    arn = f"arn:aws:ecs:{m.region}:{m.account_id}:cluster/{cluster}"
    return arn, {"name": cluster, "arn": arn}


def _launch_template(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    template_id = f"lt-{digest('lt', name, length=17)}"
    return template_id, {"latestVersion": 1, "defaultVersion": 1}


def _connection_arn(m: PlanMocks, name: str) -> str:
    h = digest("connection", name, length=32)
    return (
        f"arn:aws:codeconnections:{m.region}:{m.account_id}:connection/{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    )


def _codeconnection(m: PlanMocks, name: str, inputs: Outputs) -> tuple[str, Outputs]:
    connection = str(inputs.get("name") or name)
    arn = _connection_arn(m, connection)
    # A new connection waits for its one-time approval in the console.
    return arn, {"arn": arn, "connectionStatus": "PENDING", "ownerAccountId": m.account_id}


_AWS: dict[str, AwsOutputs] = {
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _prefixed("subnet"),
    "aws:ec2/internetGateway:InternetGateway": _prefixed("igw"),
    "aws:ec2/natGateway:NatGateway": _prefixed("nat"),
    "aws:ec2/routeTable:RouteTable": _prefixed("rtb"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _prefixed("rtbassoc"),
    "aws:ec2/securityGroup:SecurityGroup": _prefixed("sg"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _prefixed("sg"),
    "aws:ec2/flowLog:FlowLog": _prefixed("fl"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _prefixed("vpce"),
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/eip:Eip": _eip,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _prefixed("sgr"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _prefixed("sgr"),
    "aws:kms/key:Key": _kms_key,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:ecs/cluster:Cluster": _ecs_cluster,
    "aws:codeconnections/connection:Connection": _codeconnection,
}


def _azs(m: PlanMocks, args: Outputs) -> Outputs:
    # Names sorted, IDs parallel to them, as the provider answers (infra/zones.py has the link).
    return {
        "names": [f"{m.region}{x}" for x in _ZONE_LETTERS[: len(m.zone_ids)]],
        "zoneIds": list(m.zone_ids),
        "id": m.region,
    }


def _instance_type_offerings(m: PlanMocks, args: Outputs) -> Outputs:
    """One offering per requested instance type per zone ID (or name) that offers it."""
    requested: list[str] = []
    for item in args.get("filters") or []:
        if item.get("name") == "instance-type":
            requested += [str(v) for v in item.get("values") or []]
    location_type = str(args.get("locationType") or "region")
    names = [f"{m.region}{x}" for x in _ZONE_LETTERS[: len(m.zone_ids)]]
    types, locations = [], []
    for type_ in requested:
        for zone_id, name in zip(m.zone_ids, names, strict=True):
            if m.offers(zone_id, type_):
                types.append(type_)
                locations.append(
                    {"availability-zone-id": zone_id, "availability-zone": name}.get(location_type, m.region)
                )
    return {
        "instanceTypes": types,
        "locations": locations,
        "locationTypes": [location_type] * len(types),
        "locationType": location_type,
        "id": m.region,
        "region": m.region,
    }


def _orderable_db_instance(m: PlanMocks, args: Outputs) -> Outputs:
    """The first preferred (or the given) class, with the zone names that offer it."""
    preferred = [str(c) for c in args.get("preferredInstanceClasses") or []]
    db_class = str(args.get("instanceClass") or (preferred[0] if preferred else "db.t4g.micro"))
    names = [f"{m.region}{x}" for x in _ZONE_LETTERS[: len(m.zone_ids)]]
    return {
        "id": db_class,
        "instanceClass": db_class,
        "engine": args.get("engine") or "postgres",
        "engineVersion": args.get("engineVersion") or "17.6",
        "storageType": args.get("storageType") or "gp3",
        "availabilityZones": [n for z, n in zip(m.zone_ids, names, strict=True) if m.offers(z, db_class)],
        "multiAzCapable": True,
        "vpc": True,
    }


def _caller(m: PlanMocks, args: Outputs) -> Outputs:
    return {
        "accountId": m.account_id,
        "arn": f"arn:aws:iam::{m.account_id}:user/stagecraft-plan",
        "userId": "AIDAPLANPLANPLANPLAN",
        "id": m.account_id,
    }


def _region(m: PlanMocks, args: Outputs) -> Outputs:
    return {"region": m.region, "name": m.region, "id": m.region, "description": m.region}


def _partition(m: PlanMocks, args: Outputs) -> Outputs:
    return {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _github_user(m: PlanMocks, args: Outputs) -> Outputs:
    login = str(args.get("username", ""))
    return {"id": str(numeric_id("user", login)), "login": login, "nodeId": f"U_{digest('user', login)}"}


def _github_team(m: PlanMocks, args: Outputs) -> Outputs:
    slug = str(args.get("slug", ""))
    return {
        "id": str(numeric_id("team", slug)),
        "slug": slug,
        "name": slug,
        "nodeId": f"T_{digest('team', slug)}",
        "repositoriesDetaileds": [
            {"repoId": numeric_id("repo", name), "repoName": name, "roleName": "push"} for name in m.github_repositories
        ],
    }


def _github_collaborators(m: PlanMocks, args: Outputs) -> Outputs:
    collaborators = [
        {"login": login, "id": numeric_id("user", login), "permission": "push"} for login in m.github_collaborators
    ]
    return {"owner": args.get("owner"), "repository": args.get("repository"), "collaborators": collaborators}


def _github_repository(m: PlanMocks, args: Outputs) -> Outputs:
    full = str(args.get("fullName") or f"{m.github_owner}/{args.get('name', '')}")
    return {
        "name": full.split("/")[-1],
        "fullName": full,
        "nodeId": f"R_{digest('repo', full)}",
        "repoId": numeric_id("repo", full),
        "defaultBranch": "main",
        "visibility": m.github_visibility,
    }


def _get_connection(m: PlanMocks, args: Outputs) -> Outputs:
    name = str(args.get("name") or "")
    arn = str(args.get("arn") or _connection_arn(m, name))
    # The stage's plan assumes the bootstrap's connection exists and was approved.
    return {"arn": arn, "id": arn, "name": name, "connectionStatus": "AVAILABLE", "providerType": "GitHub"}


_ADDON_BASES = {"vpc-cni": (1, 19), "coredns": (1, 11), "eks-pod-identity-agent": (1, 3)}


def _eks_addon_version(m: PlanMocks, args: Outputs) -> Outputs:
    """A plausible ``v<major>.<minor>.<patch>-eksbuild.<n>`` derived from the add-on and Kubernetes version."""
    addon = str(args.get("addonName", ""))
    kubernetes = str(args.get("kubernetesVersion", ""))
    major, minor = _ADDON_BASES.get(addon, (1, int(kubernetes.split(".")[-1] or 0)))  # kube-proxy follows k8s
    n = numeric_id("addon", addon, kubernetes)
    version = f"v{major}.{minor}.{n % 5}-eksbuild.{n % 3 + 1}"
    return {"addonName": addon, "kubernetesVersion": kubernetes, "version": version, "id": addon, "mostRecent": True}


_INVOKES: dict[str, Invoke] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": _instance_type_offerings,
    "aws:rds/getOrderableDbInstance:getOrderableDbInstance": _orderable_db_instance,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "github:index/getUser:getUser": _github_user,
    "github:index/getTeam:getTeam": _github_team,
    "github:index/getRepository:getRepository": _github_repository,
    "github:index/getCollaborators:getCollaborators": _github_collaborators,
    "aws:codestarconnections/getConnection:getConnection": _get_connection,
    "aws:eks/getAddonVersion:getAddonVersion": _eks_addon_version,
}
