"""``aftersales plugin new BRAND``: scaffold a brand plugin package."""

from __future__ import annotations

import click


@click.group()
def plugin() -> None:
    """新品牌插件脚手架 / Scaffold a brand plugin."""


@plugin.command("new")
@click.argument("brand")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", show_default=True,
              help="在哪里创建 aftersales-BRAND/ / where to create aftersales-BRAND/.")
@click.option("--label-zh", help="店员看到的中文品牌名（默认同英文名） / Chinese brand name shown to staff (default: the English one).")
@click.option("--label-en", help="英文品牌名（默认：BRAND 首字母大写） / English brand name (default: BRAND in title case).")
@click.option("--force", is_flag=True, help="覆盖已有文件夹中生成的文件 / overwrite the generated files in an existing folder.")
def new(brand: str, directory: str, label_zh: str | None, label_en: str | None, force: bool) -> None:
    """写出一个可用的品牌插件包 / Write a working plugin package for BRAND.

    包里有：带入口点（组 aftersales.plugins）和 aftersales 版本范围的 pyproject、
    一个 PolicyPlugin 子类、带 schema 声明行的政策 YAML、政策测试、pytest 测试框架（tests/）、
    校验并测试政策的 CI 流程、政策文件的 pre-commit 配置、LICENSE、.gitignore 和 README。
    写出后即可通过 policy validate --strict、policy test --strict、pytest 和 pip install -e；
    不安装也能加载：--plugins-dir aftersales-BRAND。

    The package has a pyproject with the entry point (group aftersales.plugins) and a
    dependency range on aftersales, a PolicyPlugin subclass, a policy YAML with its schema
    modeline, policy tests, a pytest harness (tests/), a CI workflow that validates and tests
    the policy, a pre-commit config for the policy files, LICENSE, .gitignore and a README.
    As written it passes policy validate --strict, policy test --strict, pytest and
    pip install -e; it also loads without installing: --plugins-dir aftersales-BRAND.
    """
    from aftersales.authoring.scaffold import scaffold
    from aftersales.cli import message_lang

    en = message_lang() == "en"
    root = scaffold(brand, directory, label_zh=label_zh, label_en=label_en, force=force)
    pkg = root / f"aftersales_{brand}"
    click.echo(f"created {root}/" if en else f"已创建 {root}/")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        click.echo(f"  {path.relative_to(root)}")
    click.echo("next:" if en else "下一步：")
    click.echo(f"  aftersales policy validate {pkg}")
    click.echo(f"  aftersales policy test {pkg}")
    said = (("the policy's own tests, as its CI runs them", "drop-in, no install", "or install it") if en else
            ("政策自带的测试，与其 CI 相同", "放入插件文件夹即用，无需安装", "或安装它"))
    click.echo(f"  cd {root} && python -m pytest                      # {said[0]}")
    click.echo(f"  aftersales plugins list --plugins-dir {root}      # {said[1]}")
    click.echo(f"  pip install -e {root}                             # {said[2]}")
