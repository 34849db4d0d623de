"""Two projects in one process, used in turn, never see each other (issue 22 item 4).

Each project has a catalog of its own under the same key (``domains/local.yaml``: 水利 in one,
林业 in the other, with different indicators), its own run settings naming that domain, its own
copy of the default score sheet under a title of its own, and an earlier year's indicator table
in its outputs folder (the other has none). The department code, the year and the workbook's
path inside the project are the same in both. Evaluations of the two are loaded and used
interleaved, with a third project (this repository) current all along.
"""

from __future__ import annotations

import pytest
import yaml

import perfkit as pk
from perfkit import config, domains
from perfkit.assess import history
from perfkit.assess.scoresheet import load_sheet
from perfkit.assess.scoring import score
from perfkit.indicators.registry import registry
from synthetic import synthetic_content

DEPT, YEAR = "county", 2021

CATALOGS = {
    "water": ("水利", ["water_population_count", "water_covered_count"]),
    "forest": ("林业", ["forest_area_mu", "forest_planted_mu"]),
}


def _project(root, field: str) -> config.Project:
    """A project folder whose domain ``local`` is ``field`` (water or forest)."""
    label, (total, part) = CATALOGS[field]
    (root / config.MARKER).parent.mkdir(parents=True)
    (root / config.MARKER).write_text(f'name = "{label}局"\n', encoding="utf-8")
    catalog = {"label_zh": label, "indicators": [
        {"code": total, "label_zh": f"{label}总量", "unit": "人" if field == "water" else "亩"},
        {"code": part, "label_zh": f"{label}完成量", "unit": "人" if field == "water" else "亩",
         "direction": "higher"},
        {"code": f"{field}_share_pct", "label_zh": f"{label}完成比例", "unit": "%",
         "formula": {"kind": "share", "part": part, "whole": total}}],
        "topics": {"main": {"label_zh": f"{label}主要指标", "indicators": [total, part]}},
        "headlines": [f"{field}_share_pct"]}
    (root / "domains").mkdir()
    (root / "domains" / "local.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True),
                                                  encoding="utf-8")
    sheets = root / "params" / "score_sheets"
    sheets.mkdir(parents=True)
    shipped = (config.PACKAGE_SCORE_SHEETS_DIR / "input-process-output-outcome.yaml").read_text(
        encoding="utf-8")
    sheet = yaml.safe_load(shipped) | {"title_zh": f"{label}局评分表"}
    (sheets / "input-process-output-outcome.yaml").write_text(
        yaml.safe_dump(sheet, allow_unicode=True), encoding="utf-8")
    (root / "params" / DEPT).mkdir()
    (root / "params" / DEPT / f"{YEAR}.yaml").write_text(
        f"department: {DEPT}\nyear: {YEAR}\ndomains: [{label}]\n", encoding="utf-8")
    project = config.Project.at(root)
    rows = [{"domain": "local", "code": total, "name": f"{label}总量", "actual": 1000},
            {"domain": "local", "code": part, "name": f"{label}完成量", "actual": 800,
             "target": 900, "direction": "≥"}]
    content = synthetic_content(1, YEAR) | {"targets": rows, "aid": []}
    pk.write_workbook(f"data/{DEPT}/{YEAR}.xlsx", content, project=project)
    return project


@pytest.fixture
def projects(tmp_path):
    return _project(tmp_path / "water", "water"), _project(tmp_path / "forest", "forest")


def test_two_projects_loaded_in_turn_never_see_each_other(projects):
    water, forest = projects
    repo = config.current()  # this repository: neither of the two
    earlier = water.outputs_dir / DEPT / str(YEAR - 1) / history.TABLE
    earlier.parent.mkdir(parents=True)
    earlier.write_text("id,label_zh,domain,unit,direction,value\n"
                       "water_share_pct,水利完成比例,local,%,越高越好,75\n", encoding="utf-8")

    ev_w = pk.load(DEPT, YEAR, project=water)
    ev_f = pk.load(DEPT, YEAR, project=str(forest.root))  # a folder works as well
    assert config.current() is repo  # loading a project does not make it the current one

    # Used interleaved: what each computes comes from its own project, whichever came last.
    for ev, own, other, label in ((ev_f, "forest", "water", "林业"), (ev_w, "water", "forest", "水利"),
                                  (ev_f, "forest", "water", "林业")):
        assert ev.domains == ["local"]
        assert ev.settings.domains == ("local",)  # 林业 / 水利 in the settings: its own label
        assert ev.registry.domain_label("local") == label
        assert f"{own}_share_pct" in ev.indicators.index
        assert ev.indicators.at[f"{own}_share_pct", "value"] == pytest.approx(80.0)
        assert not [i for i in ev.indicators.index if i.startswith(other)]
        assert f"{other}_share_pct" not in ev.registry.indicators
        assert list(ev.data.frames["targets"]["domain"]) == ["local", "local"]
        assert score(ev).sheet.title_zh == f"{label}局评分表"
        assert label in str(pk.domainreport.title(ev, "local"))
        assert f"{label}总量" in [row[1] for row in pk.tables.data_dictionary(ev).rows]
    assert history.earlier_years(ev_w) == [YEAR - 1] and history.earlier_years(ev_f) == []
    assert ev_w.project.outputs_dir == water.root / "outputs" != ev_f.project.outputs_dir

    # The projects' own catalogs, labels, registries and sheets, asked for by project.
    assert domains.catalogs(water)["local"].label_zh == "水利"
    assert domains.catalogs(forest)["local"].label_zh == "林业"
    assert "林业" not in domains.domain_labels(water) and "水利" not in domains.domain_labels(forest)
    assert registry(water) is ev_w.registry and registry(forest) is not registry(water)
    assert load_sheet("input-process-output-outcome", water).title_zh == "水利局评分表"
    assert load_sheet("input-process-output-outcome", forest).title_zh == "林业局评分表"
    # … and the current project knows neither.
    assert "local" not in domains.catalogs() and not {"水利", "林业"} & set(domains.domain_labels())
    assert load_sheet("input-process-output-outcome").title_zh not in ("水利局评分表", "林业局评分表")
    assert "water_share_pct" not in registry().indicators


def test_the_current_project_is_the_one_chosen_and_only_inside_the_choice(projects):
    water, forest = projects
    repo = config.current()
    with config.using(water):
        assert config.current() is water and config.ROOT == water.root
        assert domains.domain_labels()["水利"] == "local"
        ev = pk.load(DEPT, YEAR)  # the current project's department-year
        with config.using(forest):
            assert pk.load(DEPT, YEAR).registry.domain_label("local") == "林业"
            assert ev.registry.domain_label("local") == "水利"  # made in water, stays there
        assert config.current() is water
    assert config.current() is repo and config.OUTPUTS_DIR == repo.outputs_dir
