"""The int8/float32 choice is recorded in every index version's manifest (the encoder's name and
its model id, which for int8 carries ``+onnx-int8``), and a version built with the other
precision is rebuilt, never served with briefs encoded by this one."""

from __future__ import annotations

from pathlib import Path

from index.encoders.onnx_runtime import INT8_SUFFIX
from service.container import build_container
from service.settings import Settings
from tests.conftest import DEMO_FILES
from tests.fakes import FakeEncoder


class Int8Fake(FakeEncoder):
    """The fake encoder standing for the int8 variant: its own model id and name (the real
    int8 encoder's vectors differ slightly from float32 ones)."""

    @property
    def model_id(self) -> str:
        return super().model_id + INT8_SUFFIX

    @property
    def encoder_name(self) -> str:
        return "onnx-int8"


def test_switching_precision_rebuilds_the_index(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", reload_seconds=0)
    float32 = build_container(settings, encoder=FakeEncoder())
    float32.ingest(DEMO_FILES)
    manifest = float32.store.current_manifest()
    assert manifest is not None and INT8_SUFFIX not in manifest.model_id
    float32.close()

    int8 = build_container(settings, encoder=Int8Fake())
    assert int8.store.problem(int8.catalogue, int8.encoder) is not None
    report = int8.sync()
    assert report.rebuilt and "int8" in report.reason
    manifest = int8.store.current_manifest()
    assert manifest is not None
    assert manifest.model_id.endswith(INT8_SUFFIX) and manifest.encoder == "onnx-int8"
    assert int8.store.problem(int8.catalogue, int8.encoder) is None
    int8.close()

    back = build_container(settings, encoder=FakeEncoder())
    report = back.sync()
    assert report.rebuilt
    manifest = back.store.current_manifest()
    assert manifest is not None and manifest.encoder == "fake"
    back.close()
