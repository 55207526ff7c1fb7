""".ci/run: installs chromium when it is missing (as root), then runs the README's test command,
and its exit code is the test command's. Run on a copy whose chromium path, apt-get and
scripts/test.sh are stand-ins, so nothing is installed and no suite runs."""
import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason=".ci/run installs only as root")


def _executable(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def ci_copy(tmp_path):
    """(run, log, chromium): a copy of .ci/run using stand-ins, the stand-ins' log, the fake chromium."""
    project = tmp_path / "project"
    (project / ".ci").mkdir(parents=True)
    (project / "scripts").mkdir()
    chromium = tmp_path / "chromium"
    text = (ROOT / ".ci" / "run").read_text()
    assert "/usr/bin/chromium" in text
    _executable(project / ".ci" / "run", text.replace("/usr/bin/chromium", str(chromium)))
    log = tmp_path / "log"
    (tmp_path / "bin").mkdir()
    _executable(project / "scripts" / "test.sh",
                f'echo "test.sh $*" >> {log}\nexit "${{TEST_EXIT:-0}}"\n')
    _executable(tmp_path / "bin" / "apt-get",
                f'echo "apt-get $*" >> {log}\n[ "${{APT_FAILS:-}}" = 1 ] && exit 100\n'
                f'if [ "$1" = install ]; then printf "#!/bin/sh\\n" > {chromium}; chmod +x {chromium}; fi\n')
    _executable(tmp_path / "bin" / "sleep", "exit 0\n")

    def run(**env):
        environ = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", **env}
        return subprocess.run(["bash", str(project / ".ci" / "run")], env=environ, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
    return run, log, chromium


def test_installs_chromium_then_runs_the_tests(ci_copy):
    run, log, chromium = ci_copy
    done = run()
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == ["apt-get update -q", "apt-get install -y -q chromium",
                                            "test.sh "]
    assert chromium.exists()


def test_present_chromium_is_not_installed_again(ci_copy):
    run, log, chromium = ci_copy
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    assert run().returncode == 0
    assert log.read_text().splitlines() == ["test.sh "]


def test_the_test_commands_exit_code_is_the_runs(ci_copy):
    run, _, chromium = ci_copy
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    assert run(TEST_EXIT="5").returncode == 5
    assert run(TEST_EXIT="1").returncode == 1


def test_a_failed_install_fails_the_run_without_testing(ci_copy):
    run, log, _ = ci_copy
    done = run(APT_FAILS="1")
    assert done.returncode == 1
    assert "could not install chromium" in done.stderr
    assert "test.sh" not in log.read_text()
    assert log.read_text().count("apt-get update") == 3
