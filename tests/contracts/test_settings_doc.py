"""The run settings are documented where a user looks: one README table, generated from the
fields of :class:`perfkit.data.params.Settings`, and the comments of a settings file perfkit
writes (issue 21.8: ``budget_basis`` decides 预算完成率 and so the score, yet the README the
settings file pointed to did not list it).

``python tests/contracts/test_settings_doc.py`` rewrites the README's table after a field
changed.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
import yaml

from perfkit import config
from perfkit.data.params import Settings, load_settings, settings_from_dict
from perfkit.data.settingsdoc import settings_reference, settings_table, write_settings_file

README = Path(__file__).resolve().parents[2] / "README.md"
#: The generated table sits between these two lines of the README.
START = re.compile(r"<!-- settings table:.*?-->\n", re.S)
END = "<!-- end of settings table -->"


def _readme_table(text: str) -> str:
    start = START.search(text)
    assert start and END in text, "README has no generated settings table (its markers)"
    return text[start.end():text.index(END, start.end())]


def test_readme_holds_the_table_generated_from_the_settings_fields():
    assert _readme_table(README.read_text(encoding="utf-8")) == settings_table(), (
        "the README's settings table differs from the fields of Settings: "
        "run `python tests/contracts/test_settings_doc.py`")


def test_every_setting_is_in_the_table_with_values_default_effect_and_an_example():
    table = settings_table()
    for key in Settings.__dataclass_fields__:
        row = next((r for r in table.splitlines() if r.startswith(f"| `{key}` |")), None)
        assert row is not None, f"{key}: not in the settings table"
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) == 5 and all(cells), f"{key}: a cell of its row is empty: {row}"
    docs = {d.key: d for d in settings_reference()}
    assert list(docs) == list(Settings.__dataclass_fields__)
    assert "111.17%" in docs["budget_basis"].effect and "98.03%" in docs["budget_basis"].effect
    assert docs["budget_basis"].values == "`initial` / `adjusted`"  # from the type itself
    assert docs["budget_basis"].default == "`initial`"


@pytest.mark.parametrize("key", list(Settings.__dataclass_fields__))
def test_each_example_is_a_valid_setting(key):
    """An example a user copies into a settings file loads, and sets what it names."""
    doc = next(d for d in settings_reference() if d.key == key)
    raw = yaml.safe_load(doc.example)
    assert list(raw) == [key] and doc.zh, doc
    settings = settings_from_dict({"department": "county-health", "year": 2022, **raw})
    assert getattr(settings, key) not in (None, "", ())


def test_a_settings_file_template_writes_names_every_setting_and_the_table(tmp_path, use_project):
    """``perfkit template --domains`` writes the file: every other setting is there commented
    out, with what it decides; uncommented, the defaults change nothing."""
    use_project(tmp_path)
    path = write_settings_file("county-health", 2022, ("health",))
    text = path.read_text(encoding="utf-8")
    assert "README 的“Run settings（运行设置）”表" in text.splitlines()[0]
    for key in Settings.__dataclass_fields__:
        assert re.search(rf"^(# )?{key}: ", text, flags=re.M), f"{key} not in the file"
    assert "# budget_basis: initial\n" in text and "年初预算数" in text and "调整预算数" in text
    assert "# workbook: data/county-health/2022.xlsx\n" in text
    plain = load_settings("county-health", 2022)
    examples = "notebooks|confirmed_values|review_org|reviewer|review_doc_no|review_date|result_use"
    path.write_text(re.sub(rf"^# ((?!{examples})[a-z_]+: .*)$", r"\1", text, flags=re.M),
                    encoding="utf-8")
    uncommented = load_settings("county-health", 2022)
    assert uncommented.workbook_path() == plain.workbook_path()
    assert dataclasses.replace(uncommented, workbook="") == plain


def test_init_s_project_file_points_to_the_table(tmp_path):
    from perfkit.run.project import init_project

    init_project(tmp_path / "county-health")
    marker = (tmp_path / "county-health" / config.MARKER).read_text(encoding="utf-8")
    assert "params/<部门>/<年度>.yaml" in marker and "“Run settings（运行设置）”表" in marker


def _rewrite_readme() -> None:
    text = README.read_text(encoding="utf-8")
    old = _readme_table(text)
    README.write_text(text.replace(old, settings_table(), 1), encoding="utf-8")


if __name__ == "__main__":
    _rewrite_readme()
    sys.exit(0)
