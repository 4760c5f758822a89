"""``control-room import`` is the importers' command."""

from __future__ import annotations

from pathlib import Path


def test_control_room_import_is_the_importers_command(tmp_path: Path) -> None:
    from control_room.cli import main

    out = tmp_path / "day.yaml"
    source = Path(__file__).parent / "samples" / "pretalx-democon.json"
    assert main(["import", str(source), "-o", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
