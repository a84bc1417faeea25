from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def registry():
    from aftersales.core.registry import load_registry

    return load_registry()


@pytest.fixture
def cli():
    """Run the CLI in-process: returns (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from aftersales.cli import main_group
    from aftersales.cli._common import run

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        runner = CliRunner()
        holder = {}

        def target():
            holder["rc"] = run(main_group, list(args))

        import click

        @click.command()
        def shim():
            target()

        result = runner.invoke(shim, [], input=input, env=env, catch_exceptions=False)
        return holder.get("rc", result.exit_code), result.stdout, result.stderr

    return invoke
