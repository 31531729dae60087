from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import pytest

from stagecraft import cli
from stagecraft.check import (
    RepositoryStack,
    Stage,
    find_conflicts,
    find_problems,
    find_warnings,
    load_repositories,
    load_stages,
    run,
)
from tests.stagecraft.conftest import ROOT

WARNING = (
    "warning: repository stack 'repository/amani-backend': requires code-owner review on 'develop', 'main' "
    "(stagecraft:repository.branches.<branch>.require_code_owner_reviews), but the project has no CODEOWNERS file "
    "(CODEOWNERS, .github/CODEOWNERS, docs/CODEOWNERS): GitHub then requires no code-owner approval; add one\n"
)
REPO = "repository/amani-backend"


@pytest.fixture
def layered(project: Path) -> Path:
    """The editable project copy plus its repository layer."""
    (project / "repository").mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.amani-backend.yaml"):
        shutil.copy(ROOT / "repository" / name, project / "repository" / name)
    return project


def _edit(project: Path, stack: str, old: str, new: str) -> None:
    folder, _, name = stack.rpartition("/")
    path = project / folder / f"Pulumi.{name}.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _loaded(project: Path) -> tuple[list[Stage], list[RepositoryStack]]:
    stages, errors = load_stages(project)
    repositories, repository_errors = load_repositories(project)
    assert errors == [] and repository_errors == []
    return stages, repositories


def _conflicts(project: Path) -> list[str]:
    stages, repositories = _loaded(project)
    return [str(c) for c in [*find_conflicts(stages), *find_problems(stages, repositories)]]


def _run(project: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(project, out, err)
    return code, out.getvalue(), err.getvalue()


def test_shipped_stacks_do_not_conflict_and_warn_about_codeowners() -> None:
    assert _run(ROOT) == (0, WARNING + f"No conflicts between 3 stacks: production, staging, {REPO}\n", "")


def test_a_codeowners_file_silences_the_warning(layered: Path) -> None:
    (layered / ".github").mkdir()
    (layered / ".github" / "CODEOWNERS").write_text("* @amani-labs/platform\n")
    assert _run(layered) == (0, f"No conflicts between 3 stacks: production, staging, {REPO}\n", "")


def test_no_warning_without_code_owner_review(layered: Path) -> None:
    _edit(layered, REPO, "        require_code_owner_reviews: true\n", "        require_code_owner_reviews: false\n")
    _, repositories = _loaded(layered)
    assert [str(w) for w in find_warnings(layered, repositories)] == [
        WARNING.removeprefix("warning: ").rstrip().replace("'develop', 'main'", "'main'")
    ]
    _edit(
        layered,
        REPO,
        "        required_approving_reviews: 2\n        required_deployments",
        (
            "        required_approving_reviews: 2\n"
            "        require_code_owner_reviews: false\n"
            "        required_deployments"
        ),
    )
    _, repositories = _loaded(layered)
    assert find_warnings(layered, repositories) == []


def test_overlapping_cidrs(layered: Path) -> None:
    _edit(layered, "production", "cidr: 10.30.0.0/16", "cidr: 10.20.128.0/17")
    assert _conflicts(layered) == [
        "stacks 'production' and 'staging': VPC CIDRs overlap (stagecraft:stage.network.cidr: 10.20.128.0/17 and "
        "10.20.0.0/16); stages that may peer need distinct ranges"
    ]
    code, out, _ = _run(layered)
    assert code == 1
    assert out.startswith("conflict: stacks 'production' and 'staging': VPC CIDRs overlap")


def test_stages_may_share_a_branch(layered: Path) -> None:
    # Seed 004: several environments deploy from one `main`.
    _edit(layered, "staging", "    github:\n", "    github:\n      deploy_branch: main\n")
    assert _conflicts(layered) == []


def test_deploy_branch_must_be_protected(layered: Path) -> None:
    _edit(layered, "staging", "    github:\n", "    github:\n      deploy_branch: release\n")
    assert _conflicts(layered) == [
        "stage 'staging': deploys from branch 'release' of amani-labs/amani-backend (stagecraft:stage.github."
        f"deploy_branch), but '{REPO}' does not protect it: add it under stagecraft:repository.branches"
    ]
    assert _run(layered)[0] == 1


def test_a_tags_only_stage_needs_no_protected_branch(layered: Path) -> None:
    stages, repositories = _loaded(layered)
    production = next(s for s in stages if s.stack == "production")
    github = production.config.settings.github.model_copy(update={"deploy_branch": None})
    settings = production.config.settings.model_copy(update={"github": github})
    tags_only = dataclasses.replace(production, config=dataclasses.replace(production.config, settings=settings))
    others = [s for s in stages if s.stack != "production"]
    assert find_problems([*others, tags_only], repositories) == []
    _edit(layered, REPO, 'patterns: ["v*"]', 'patterns: ["release-*"]')
    _, repositories = _loaded(layered)
    assert [str(p) for p in find_problems([*others, tags_only], repositories)] == [
        "stage 'production': deploys from tags 'v*' of amani-labs/amani-backend (stagecraft:stage.github."
        f"tag_patterns), but no tag ruleset of '{REPO}' covers that pattern: add it to stagecraft:repository.tags."
        "<key>.patterns so only its bypass actors can create, move or delete such tags"
    ]


def test_release_tags_must_be_covered_by_a_tag_ruleset(layered: Path) -> None:
    _edit(layered, REPO, 'patterns: ["v*"]', 'patterns: ["release-*"]')
    assert _conflicts(layered) == [
        "stage 'production': deploys from tags 'v*' of amani-labs/amani-backend (stagecraft:stage.github."
        f"tag_patterns), but no tag ruleset of '{REPO}' covers that pattern: add it to stagecraft:repository.tags."
        "<key>.patterns so only its bypass actors can create, move or delete such tags"
    ]


def test_required_deployments_name_a_stage_environment(layered: Path) -> None:
    _edit(layered, REPO, "required_deployments: [staging]", "required_deployments: [qa]")
    assert _conflicts(layered) == [
        f"repository stack '{REPO}': branch 'main' requires a deployment to 'qa' (stagecraft:repository.branches."
        "main.required_deployments), but no stage of amani-labs/amani-backend deploys through that environment "
        "(stage environments: production, staging); merges into 'main' would wait forever"
    ]


def test_required_deployments_follow_the_environment_setting(layered: Path) -> None:
    _edit(layered, "staging", "    github:\n", "    github:\n      environment: stage\n")
    conflicts = _conflicts(layered)
    assert (
        f"repository stack '{REPO}': branch 'main' requires a deployment to 'staging' (stagecraft:repository."
        "branches.main.required_deployments), but no stage of amani-labs/amani-backend deploys through that "
        "environment (stage environments: production, stage); merges into 'main' would wait forever"
    ) in conflicts
    # The renamed environment needs its own preview environment too.
    assert (
        f"stage 'staging': has no preview environment 'stage-preview' in '{REPO}': add it under "
        "stagecraft:repository.preview_environments (branches: any)"
    ) in conflicts


def test_each_stage_has_its_preview_environment(layered: Path) -> None:
    _edit(layered, REPO, "      staging-preview:\n        branches: any\n", "")
    assert _conflicts(layered) == [
        f"stage 'staging': has no preview environment 'staging-preview' in '{REPO}': add it under "
        "stagecraft:repository.preview_environments (branches: any)"
    ]


def test_production_previews_only_from_protected_branches(layered: Path) -> None:
    _edit(layered, REPO, "branches: protected", "branches: any")
    assert _conflicts(layered) == [
        f"stage 'production': is a production stage, but '{REPO}' lets any branch use its preview environment "
        "(stagecraft:repository.preview_environments.production-preview.branches: any): set it to 'protected' so "
        "only reviewed code gets production's preview credentials"
    ]


def test_each_repository_secret_is_set_once(layered: Path) -> None:
    shutil.copy(layered / "repository/Pulumi.amani-backend.yaml", layered / "repository/Pulumi.backend-2.yaml")
    assert _conflicts(layered) == [
        f"stacks '{REPO}' and 'repository/backend-2': both manage amani-labs/amani-backend (stagecraft:repository."
        "repository): their branch protection, rulesets and preview environments would overwrite each other; keep "
        "one repository stack per repository",
        f"stacks '{REPO}' and 'repository/backend-2': both set repository secret 'CODECOV_TOKEN' of "
        "amani-labs/amani-backend (stagecraft:repository.secrets); a repository secret is set by exactly one "
        "stack, or the last run wins",
    ]


def test_a_stage_of_an_unmanaged_repository(layered: Path) -> None:
    shutil.rmtree(layered / "repository")
    assert _conflicts(layered) == [
        f"stage '{stage}': deploys from amani-labs/amani-backend (stagecraft:stage.repository), which no repository "
        "stack manages: add repository/Pulumi.<name>.yaml with stagecraft:repository.repository: "
        "amani-labs/amani-backend"
        for stage in ("production", "staging")
    ]


def test_shared_namespace(layered: Path) -> None:
    _edit(
        layered,
        "production",
        "        - allow_ingress_from: [ingress-nginx]",
        "        - name: amani-backend-staging\n          allow_ingress_from: [ingress-nginx]",
    )
    assert _conflicts(layered) == [
        "stacks 'production' and 'staging': both claim Kubernetes namespace 'amani-backend-staging' "
        "(stagecraft:stage.compute.namespaces); a shared cluster or a later merge of clusters would mix their "
        "workloads and RBAC"
    ]


def test_app_and_stage_names_that_collide(layered: Path) -> None:
    shutil.copy(layered / "Pulumi.staging.yaml", layered / "Pulumi.backend-staging.yaml")
    _edit(layered, "backend-staging", "app: amani-backend", "app: amani")
    _edit(layered, "backend-staging", "cidr: 10.20.0.0/16", "cidr: 10.40.0.0/16")
    conflicts = _conflicts(layered)
    assert (
        "stacks 'backend-staging' and 'staging': both derive the ecr-repository name 'amani-backend-staging/api' "
        "(from stagecraft:stage.app and the stack name); rename one app or stage"
    ) in conflicts


def test_invalid_stack_is_reported_and_exits_2(layered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(layered, "staging", "app: amani-backend", "app: Amani")
    assert cli.main(["--cwd", str(layered), "check"]) == 2
    assert "error: staging: invalid stack configuration" in capsys.readouterr().err
    code, _, err = _run(layered)
    assert code == 2 and "error: staging: invalid stack configuration" in err


def test_invalid_repository_stack_is_reported_and_exits_2(layered: Path) -> None:
    _edit(layered, REPO, "github:owner: amani-labs", "github:owner: amani")
    code, _, err = _run(layered)
    assert code == 2
    assert err.startswith(
        f"error: {REPO}: invalid stack configuration (1 problem(s)):\n  - github:owner: is 'amani'; the default "
        "GitHub provider must be configured for the owner of stagecraft:repository.repository"
    )
