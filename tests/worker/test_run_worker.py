"""The worker's supervisor: only a configuration error is final; any other exit, however quick,
is started again (a worker that met a full or absent Redis at start-up must come back)."""

import sys

from worker.run_worker import RESTART_DELAYS, supervise


def exits_in_turn(tmp_path, *codes: int) -> list[str]:
    """A command that exits with the next code of `codes` each time it is started."""
    counter = tmp_path / "starts"
    script = (f"import pathlib, sys; p = pathlib.Path({str(counter)!r}); n = int(p.read_text() or 0) "
              f"if p.exists() else 0; p.write_text(str(n + 1)); sys.exit({list(codes)!r}[n])")
    return [sys.executable, "-c", script]


def test_a_worker_that_dies_at_start_up_is_started_again_with_growing_pauses(tmp_path):
    pauses = []
    assert supervise(exits_in_turn(tmp_path, 1, 1, 70, 0), sleep=pauses.append) == 0
    assert pauses == list(RESTART_DELAYS[:3])
    assert (tmp_path / "starts").read_text() == "4"


def test_a_configuration_error_is_final(tmp_path):
    pauses = []
    assert supervise(exits_in_turn(tmp_path, 78, 0), sleep=pauses.append) == 78
    assert pauses == []
