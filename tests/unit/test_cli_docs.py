"""Documentation as tests (as sqlite-utils does): every command and option has help text and is in docs/cli.md;
every command that prints a table has --json; --help documents the exit codes."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from satudata.cli import app
from satudata.cli.common import ExitCode
from tests.conftest import REPO

DOCS = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
ROOT = typer.main.get_command(app)
COMMANDS = sorted(ROOT.commands)
NO_TABLE = {"serve"}   # prints one line (the URL) and the request log, never a table
JSON_COMMANDS = ("run", "validate", "list", "versions", "lineage", "verify", "deploy")   # tests/e2e/test_cli_json.py
DRAFTING_JSON = ("checks", "describe")   # tests/unit/test_cli_drafting.py


def _section(command: str) -> str:
    match = re.search(rf"^## `satudata {command}`\n(.*?)(?=^## |\Z)", DOCS, re.MULTILINE | re.DOTALL)
    assert match, f"docs/cli.md has no section '## `satudata {command}`'"
    return match.group(1)


def _params(command) -> list:
    return [p for p in command.params if p.name != "help"]


def test_the_command_tree_is_the_one_documented():
    assert set(COMMANDS) == {"run", "validate", "list", "versions", "lineage", "verify", "serve", "deploy", "checks",
                             "describe"}
    tree = DOCS.split("```")[1]
    for command in COMMANDS:
        assert re.search(rf"── {command}\b", tree), f"{command} is not in the command tree of docs/cli.md"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_and_option_has_help_text(command: str):
    cmd = ROOT.commands[command]
    assert (cmd.help or "").strip(), f"satudata {command} has no help text"
    for param in _params(cmd):
        assert (getattr(param, "help", None) or "").strip(), f"satudata {command}: {param.name} has no help text"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_and_option_is_in_the_docs(command: str):
    section = _section(command)
    for param in _params(ROOT.commands[command]):
        if param.param_type_name == "argument":
            assert param.metavar and param.metavar in section, f"satudata {command}: argument {param.name}"
            continue
        for name in (*param.opts, *param.secondary_opts):
            assert f"`{name}`" in section, f"docs/cli.md, satudata {command}: option {name} is not documented"


def test_root_options_have_help_and_are_documented():
    for param in _params(ROOT):
        assert (param.help or "").strip()
        for name in param.opts:
            assert f"`satudata {name}`" in DOCS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_that_prints_a_table_has_json_and_its_keys_documented(command: str):
    names = {name for p in _params(ROOT.commands[command]) for name in p.opts}
    if command in NO_TABLE:
        assert "--json" not in names
        return
    assert "--json" in names, f"satudata {command} prints a table but has no --json"
    assert "**JSON**" in _section(command), f"docs/cli.md does not list the JSON keys of satudata {command}"
    assert command in JSON_COMMANDS + DRAFTING_JSON, "a test parses the --json of every command"


@pytest.mark.parametrize("args", [["--help"], *[[c, "--help"] for c in COMMANDS]], ids=lambda a: " ".join(a))
def test_help_lists_every_exit_code(args: list[str]):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    codes = re.findall(r"^\s+(\d+)\s{2,}\S", result.output.split("Exit codes")[1], re.MULTILINE)
    assert [int(c) for c in codes] == [int(c) for c in ExitCode]


def test_docs_list_every_exit_code():
    table = DOCS.split("## Exit codes")[1].split("## ")[0]
    assert [int(c) for c in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)] == [int(c) for c in ExitCode]
