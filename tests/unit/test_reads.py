"""perfkit.reads: the depfile of a computation (files read, with their hashes)."""

from __future__ import annotations

from perfkit import reads
from perfkit.assess import history


def test_reads_are_recorded_with_hashes_and_absent_files(tmp_path, use_project):
    use_project(tmp_path)
    there, absent = tmp_path / "a.yaml", tmp_path / "sub" / "b.xlsx"
    there.write_text("x: 1\n", encoding="utf-8")
    reads.file(there)  # outside a recording: nothing kept, nothing fails
    with reads.recording() as outer:
        reads.file(there)
        with reads.recording() as inner:
            reads.file(absent)
    assert outer == {"a.yaml": reads._sha(there), "sub/b.xlsx": None}
    assert inner == {"sub/b.xlsx": None}
    assert reads.changed(outer) == []
    there.write_text("x: 2\n", encoding="utf-8")
    absent.parent.mkdir()
    absent.write_bytes(b"new")
    assert reads.changed(outer) == ["a.yaml", "sub/b.xlsx"]
    there.unlink()
    assert reads.changed(outer, {}) == ["a.yaml", "sub/b.xlsx"]


def test_a_probe_is_asked_again(tmp_path, use_project):
    use_project(tmp_path)
    out = tmp_path / "outputs"
    with reads.recording() as rec:
        assert history.earlier_tables("d", 2019, out) == {}
    assert reads.changed(rec) == []
    table = out / "d" / "2017" / history.TABLE
    table.parent.mkdir(parents=True)
    table.write_text("id\n", encoding="utf-8")
    assert len(reads.changed(rec)) == 1  # a new earlier year
    later = out / "d" / "2020" / history.TABLE  # a later year is not read by 2019
    later.parent.mkdir(parents=True)
    later.write_text("id\n", encoding="utf-8")
    with reads.recording() as rec:
        history.earlier_tables("d", 2019, out)
    assert reads.changed(rec) == []


def test_a_manifest_cannot_name_code_outside_perfkit():
    key = 'probe:os:system:["true"]'
    assert reads.changed({key: "x"}) == [key]


def test_a_probe_records_paths_in_the_project_relative_to_it(tmp_path, use_project):
    """No absolute (often temporary) folder in a manifest's keys (issue 28.11), and the key
    still answers: the project may move."""
    use_project(tmp_path / "a")
    table = tmp_path / "a" / "outputs" / "d" / "2017" / history.TABLE
    table.parent.mkdir(parents=True)
    table.write_text("id\n", encoding="utf-8")
    with reads.recording() as rec:
        history.earlier_tables("d", 2019, tmp_path / "a" / "outputs")
    (key,) = rec
    assert str(tmp_path) not in key and '"./outputs/d"' in key
    assert reads.changed(rec) == []
    (tmp_path / "a").rename(tmp_path / "b")  # the project moved
    use_project(tmp_path / "b")
    assert reads.changed(rec) == []
    table = tmp_path / "b" / "outputs" / "d" / "2018" / history.TABLE
    table.parent.mkdir(parents=True)
    table.write_text("id\n", encoding="utf-8")
    assert reads.changed(rec) == [key]


def test_a_probe_path_outside_the_project_stays_absolute(tmp_path, use_project):
    use_project(tmp_path / "proj")
    elsewhere = tmp_path / "shared-outputs"
    with reads.recording() as rec:
        history.earlier_tables("d", 2019, elsewhere)
    (key,) = rec
    assert str(elsewhere / "d") in key
    assert reads.changed(rec) == []
