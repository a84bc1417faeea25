from __future__ import annotations

import os

import pytest


def pytest_xdist_auto_num_workers(config):
    """``-n auto`` (``addopts``) starts two workers per core, not one: most of a counter-UI test's
    time is Pilot waiting for the app to go idle (it sleeps 20 ms a pause and checks that the
    process did no work meanwhile), and many other tests wait on a process they started; another
    worker runs in that time. (On 2 cores, ``tests/tui``: 73-81 s with 2 workers, 57 s with 4,
    68 s with 6.)"""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cores


@pytest.fixture(scope="session", autouse=True)
def _own_policy_cache(tmp_path_factory):
    """The tests keep their validated policies and remembered entry points in a folder of their
    own (the processes they start inherit it), not in the user's cache. Tests of the cache
    setting itself change it for their own duration."""
    from aftersales.core import policycache

    if "AFTERSALES_POLICY_CACHE" in os.environ:
        yield
        return
    os.environ["AFTERSALES_POLICY_CACHE"] = str(tmp_path_factory.mktemp("policy-cache"))
    policycache.folder.cache_clear()
    try:
        yield
    finally:
        os.environ.pop("AFTERSALES_POLICY_CACHE", None)
        policycache.folder.cache_clear()


@pytest.fixture(scope="session")
def registry():
    from aftersales.core.registry import load_registry

    return load_registry()


@pytest.fixture
def cli():
    """Run the CLI in-process: returns (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from aftersales.cli import main_group
    from aftersales.cli.group import run

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        # messages are Chinese unless asked for in English; most tests read the English words
        env = {"AFTERSALES_LANG": "en", **(env or {})}
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
