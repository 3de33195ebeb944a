import re
from pathlib import Path

import afterword
from afterword.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_all_is_sorted_and_importable():
    assert afterword.__all__ == sorted(afterword.__all__)
    for name in afterword.__all__:
        assert hasattr(afterword, name)


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme, setting.name


def test_every_command_is_in_the_readme_and_has_help():
    from afterword.cli import app

    readme = (ROOT / "README.md").read_text()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert re.search(rf"afterword {name}\b", readme), name
        assert (command.callback.__doc__ or "").strip(), name


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "47.0 ['Why did the service fail?', 'Why were database connections exhausted?']" in out
    assert "PAY-2000" in (tmp_path / "payment.md").read_text()


def test_every_lint_setting_is_documented_in_the_readme():
    from afterword.lint.settings import LINT_SETTINGS

    readme = (ROOT / "README.md").read_text()
    for name, _default, _help in LINT_SETTINGS:
        assert f"`{name}`" in readme, name
