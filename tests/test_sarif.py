"""`dashm check --format sarif` against the SARIF 2.1.0 JSON schema (OASIS, vendored in
tests/schemas/ with its licence), as GitHub code scanning reads it, and the rule links it
carries."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from dashm.batch.report import HOME_URL, RULES_URL
from dashm.findings import CODE_NAMES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())


def sarif(cwd: Path, *options: str) -> dict:  # type: ignore[type-arg]
    done = subprocess.run([sys.executable, "-m", "dashm", "check", "--format", "sarif",
                           "--no-cache", *options, "."], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)  # stdout is one document, whatever else is said


def validate(document: dict) -> None:  # type: ignore[type-arg]
    assert SCHEMA["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    validator = jsonschema.Draft4Validator(SCHEMA,
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    folder = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", folder)
    return folder


def test_findings_are_valid_sarif(examples: Path) -> None:
    document = sarif(examples)
    validate(document)
    (run,) = document["runs"]
    results = run["results"]
    rules = run["tool"]["driver"]["rules"]
    # Python files, pyproject.toml (DM204) and .vscode/launch.json (DM205) alike.
    assert {"DM101", "DM102", "DM104", "DM105", "DM202", "DM204", "DM205"} <= {
        r["ruleId"] for r in results}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        # Relative to the folder checked from (the repository root in CI), forward slashes.
        assert not uri.startswith(("/", "file:")) and "\\" not in uri, uri
        assert (examples / uri).is_file(), uri
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_a_clean_run_and_a_fix_run_are_valid_sarif(examples: Path) -> None:
    fixed = sarif(examples, "--fix")  # the files it created go to stderr, not into the JSON
    validate(fixed)
    validate(sarif(examples, "--select", "DM999"))
    assert sarif(examples, "--select", "DM999")["runs"][0]["results"] == []


def test_rules_link_their_published_docs() -> None:
    document = sarif(ROOT / "examples", "--select", "DM999")
    driver = document["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == sorted(CODE_NAMES)
    # The repository the package metadata names, and the rule docs at their path there.
    homepage = re.search(r'^Homepage = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert homepage and driver["informationUri"] == HOME_URL == homepage.group(1)
    assert RULES_URL == f"{HOME_URL}/blob/main/server/dashm/docs/rules.md"
    assert (ROOT / "server" / "dashm" / "docs" / "rules.md").is_file()
    headings = {line.lstrip("#").strip().lower().replace(" ", "-") for line in
                (ROOT / "server/dashm/docs/rules.md").read_text().splitlines()
                if line.startswith("## DM")}
    for rule in driver["rules"]:
        assert rule["helpUri"] == f"{RULES_URL}#{rule['id'].lower()}-{rule['name']}"
        assert rule["helpUri"].split("#")[1] in headings, rule["helpUri"]
