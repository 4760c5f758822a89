"""Shared fixtures: run the import command in-process and read its result back."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from control_room.core.schedule import Schedule
from control_room.core.schedule_yaml import parse_schedule
from control_room.importers.cli import add_import_arguments, import_main

SAMPLES = Path(__file__).parent / "samples"


@dataclass
class Result:
    code: int
    yaml: str
    out: str
    err: str

    def schedule(self) -> Schedule:
        return parse_schedule(self.yaml, source="imported.yaml")


Run = Callable[..., Result]


@pytest.fixture
def run_import(tmp_path: Path) -> Run:
    """``run_import(source, *options)``: the import's exit code, YAML and messages."""

    def run(source: str | Path, *options: str) -> Result:
        parser = argparse.ArgumentParser()
        add_import_arguments(parser)
        target = tmp_path / "imported.yaml"
        target.unlink(missing_ok=True)
        args = parser.parse_args([str(source), "-o", str(target), *options])
        out, err = io.StringIO(), io.StringIO()
        code = import_main(args, out=out, err=err)
        yaml = target.read_text(encoding="utf-8") if target.exists() else ""
        return Result(code, yaml, out.getvalue(), err.getvalue())

    return run
