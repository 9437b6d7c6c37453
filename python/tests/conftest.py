import os
import sys
from pathlib import Path

import pytest

# the formulas of reference.py, importable from every test module
sys.path.insert(0, str(Path(__file__).parent))


# Under CI (CI set, as .ci/run sets it, or MIXUP_REQUIRE_ALL) a skipped test
# or module is a failure: the comparisons against PyTorch, torchvision and
# timm must have run.
def _must_run():
    return os.environ.get("CI", "") not in ("", "0", "false") or "MIXUP_REQUIRE_ALL" in os.environ


_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_collectreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and _must_run():
        print(f"\n{len(_skipped)} skipped under CI, which must run every test: {_skipped[:5]}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
