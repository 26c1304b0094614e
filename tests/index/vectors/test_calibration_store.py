"""The calibration of match strengths is measured at sync, stored with the index version (in
its manifest), read back on load; a version built before calibrations has one measured on load
and stored by the next sync."""

from __future__ import annotations

import json

from index.vectors.manifest import MANIFEST_NAME, Manifest
from index.vectors.snapshot import BRIEFS_FILE
from matcher.briefs import make_brief
from matcher.calibration import GENERIC_BRIEFS, Calibration
from matcher.model import ProfileKind
from service.container import Container


def test_sync_stores_the_calibration_with_the_version(loaded: Container) -> None:
    directory = loaded.store.current_dir()
    assert directory is not None
    manifest = Manifest.read(directory)
    assert manifest.calibration is not None
    calibration = Calibration.from_json(manifest.calibration)
    assert calibration.fits(loaded.engine.aggregation.key)
    assert set(calibration.kinds) == set(ProfileKind)
    assert (directory / BRIEFS_FILE).is_file()
    # the engine reads it back rather than measuring again
    assert loaded.engine.reload() is not None
    assert loaded.engine.calibration() == calibration
    result = loaded.engine.search(make_brief("wearable sensors detect falls older inpatients"))
    assert all(m.strength is not None and m.strength_label for m in result.matches)


def test_a_later_sync_reuses_the_briefs_vectors(loaded: Container, tmp_path) -> None:  # type: ignore[no-untyped-def]
    encoder = loaded.encoder
    before = encoder.texts_embedded  # type: ignore[attr-defined]
    profile = loaded.catalogue.get_profile("acad-falls")
    changed = profile.summary + " Also gait."
    line = {"record": "profile", "id": profile.id, "kind": "academic", "name": profile.name,
            "organisation": profile.organisation_id, "summary": changed}  # fmt: skip
    (tmp_path / "p.jsonl").write_text(json.dumps(line) + "\n")
    loaded.ingest([tmp_path / "p.jsonl"])
    assert encoder.texts_embedded - before < len(GENERIC_BRIEFS)  # type: ignore[attr-defined]


def test_a_version_without_calibration_is_measured_on_load_then_stored(loaded: Container) -> None:
    directory = loaded.store.current_dir()
    assert directory is not None
    data = json.loads((directory / MANIFEST_NAME).read_text())
    stored = data.pop("calibration")
    (directory / MANIFEST_NAME).write_text(json.dumps(data))  # as an older build wrote it
    (directory / BRIEFS_FILE).unlink()
    loaded.store.load(reuse=False)
    engine = loaded.engine
    engine._snapshot = None
    result = engine.search(make_brief("wearable sensors detect falls older inpatients"))
    assert result.matches and all(m.strength is not None for m in result.matches)
    assert engine.calibration().to_json() == stored  # the same measure as at sync
    report = loaded.sync()
    assert report.version == Manifest.read(directory).version + 1
    after = loaded.store.current_dir()
    assert after is not None and Manifest.read(after).calibration == stored
