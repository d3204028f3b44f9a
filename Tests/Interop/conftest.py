"""Fixtures for the interop tests: Python stubs generated from proto/, the Swift executables
started as real processes on loopback, and channels with a deadline on every call.

Everything here exists so the tests talk to the services exactly as a foreign client would:
no Swift code, no shared generated code, only the .proto contracts and the wire.
"""

from __future__ import annotations

import collections
import importlib
import importlib.resources
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import types
from pathlib import Path

import grpc
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO_ROOT / "proto"

# A hung server must fail one test, not stall the run: every test gets this much wall time.
TEST_TIMEOUT_SECONDS = 120
# Deadline for every RPC that does not set its own; loopback calls take milliseconds.
RPC_TIMEOUT_SECONDS = 5
# How long a freshly started process may take to print its listening line.
STARTUP_TIMEOUT_SECONDS = 30
# The contract for SIGTERM: a graceful exit with status 0 within this time.
SHUTDOWN_TIMEOUT_SECONDS = 15

LISTENING_LINE = re.compile(r"^(?P<name>[a-z]+-service) listening on 127\.0\.0\.1:(?P<port>\d+)$")


# --- per-test time limit ---------------------------------------------------------------------


class InteropTimeout(Exception):
    """The test ran past TEST_TIMEOUT_SECONDS."""


@pytest.fixture(autouse=True)
def _time_limit():
    # SIGALRM rather than the pytest-timeout plugin: one less dependency, and the exception is
    # raised in the test itself, so fixture teardown still stops every process it started.
    def expire(signum, frame):
        raise InteropTimeout(f"test exceeded {TEST_TIMEOUT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_TIMEOUT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- Python stubs generated from proto/ --------------------------------------------------------


def _protoc(include: Path, protos: list[Path], out: Path) -> None:
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    command = [
        sys.executable, "-m", "grpc_tools.protoc",
        f"-I{include}", f"-I{well_known}",
        f"--python_out={out}", f"--grpc_python_out={out}",
        *(str(p.relative_to(include)) for p in protos),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"protoc failed ({' '.join(command)}):\n{result.stderr}")


@pytest.fixture(scope="session")
def stubs(tmp_path_factory) -> types.SimpleNamespace:
    """Every proto under proto/ compiled to Python; returns the importable modules by role."""
    out = tmp_path_factory.mktemp("stubs")
    protos = sorted(PROTO_ROOT.rglob("*.proto"))
    grpc_protos = [p for p in protos if p.relative_to(PROTO_ROOT).parts[0] == "grpc"]
    crm_protos = [p for p in protos if p not in grpc_protos]
    expected = {
        "grpc/health/v1/health.proto",
        "grpc/reflection/v1/reflection.proto",
        "grpc/reflection/v1alpha/reflection.proto",
        "crm/common/v1/common.proto",
    }
    found = {str(p.relative_to(PROTO_ROOT)) for p in protos}
    assert expected <= found, f"missing protos: {expected - found}"

    _protoc(PROTO_ROOT, crm_protos, out)
    # The grpc/* protos are compiled relative to proto/grpc: a generated top-level package named
    # "grpc" would shadow grpcio itself. Only descriptor file names change; the wire names
    # (grpc.health.v1.Health/Check...) come from the proto packages and stay the same.
    _protoc(PROTO_ROOT / "grpc", grpc_protos, out)

    # The v1alpha reflection stubs are generated but imported only in a separate interpreter:
    # grpcio-reflection's client already registers grpc.reflection.v1alpha.* in the default
    # descriptor pool, and a second definition of the same symbols there is an error.
    check = subprocess.run(
        [sys.executable, "-c",
         "import reflection.v1alpha.reflection_pb2, reflection.v1alpha.reflection_pb2_grpc"],
        cwd=out, capture_output=True, text=True, timeout=60,
    )
    assert check.returncode == 0, f"generated v1alpha reflection stubs do not import:\n{check.stderr}"

    sys.path.insert(0, str(out))
    try:
        def load(name: str) -> types.SimpleNamespace:
            return types.SimpleNamespace(
                pb=importlib.import_module(f"{name}_pb2"),
                rpc=importlib.import_module(f"{name}_pb2_grpc"),
            )

        yield types.SimpleNamespace(
            out=out,
            health=load("health.v1.health"),
            reflection_v1=load("reflection.v1.reflection"),
            crm={
                name: load(f"crm.{name}.v1.{name}")
                for name in ("segmentation", "interaction", "feedback", "trust", "loyalty")
            },
        )
    finally:
        sys.path.remove(str(out))


# --- the Swift executables ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    """Where the service executables are: CRM_BIN_DIR, else SwiftPM's build directory."""
    override = os.environ.get("CRM_BIN_DIR")
    if override:
        return Path(override)
    try:
        result = subprocess.run(
            ["swift", "build", "--show-bin-path"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.fail(f"cannot ask SwiftPM for the build directory ({error}); set CRM_BIN_DIR")
    if result.returncode != 0:
        pytest.fail(f"swift build --show-bin-path failed; set CRM_BIN_DIR:\n{result.stderr}")
    return Path(result.stdout.strip())


class ServiceProcess:
    """One running service executable, its bound port, and its logs."""

    def __init__(self, executable: Path, data_dir: Path, log_path: Path, extra_args: tuple[str, ...] = ()):
        self.name = executable.name
        self.log_path = log_path
        self.stdout_lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        # Flags beat environment variables, but CRM_DATABASE would still move the store out of
        # data_dir: start from a clean slate so the developer's shell cannot change the test.
        env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [str(executable), "--port", "0", "--metrics-port", "0", "--data-dir", str(data_dir), *extra_args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log, env=env,
        )
        # A reader thread, not a blocking readline: the startup wait must have a timeout, and
        # stdout must keep draining so a chatty process can never block on a full pipe.
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        try:
            self.port = self._await_listening()
        except BaseException:
            self.kill()
            self._log.close()
            raise

    def _read_stdout(self) -> None:
        for raw in self.process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            self.stdout_lines.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def _await_listening(self) -> int:
        try:
            line = self._lines.get(timeout=STARTUP_TIMEOUT_SECONDS)
        except queue.Empty:
            raise AssertionError(
                f"{self.name} printed no listening line within {STARTUP_TIMEOUT_SECONDS} s\n{self.logs()}"
            ) from None
        if line is None:
            code = self.process.wait(timeout=5)
            raise AssertionError(f"{self.name} exited with {code} before listening\n{self.logs()}")
        match = LISTENING_LINE.match(line)
        if not match or match["name"] != self.name:
            raise AssertionError(f"{self.name}: unexpected first stdout line {line!r}\n{self.logs()}")
        return int(match["port"])

    def await_stdout_closed(self, timeout: float = 5) -> None:
        """Waits until everything the exited process wrote to stdout has been read."""
        self._reader.join(timeout)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def terminate(self, timeout: float = SHUTDOWN_TIMEOUT_SECONDS) -> int | None:
        """SIGTERM and wait; the exit code, or None if it had to be killed."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def close(self) -> None:
        self.terminate()
        self._log.close()

    def logs(self) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- {self.name} stderr ({self.log_path}) ---\n{text[-20000:]}"


class Launcher:
    """Starts service executables for one test and guarantees they are all stopped after it."""

    def __init__(self, bin_dir: Path, work_dir: Path):
        self.bin_dir = bin_dir
        self.work_dir = work_dir
        self.started: list[ServiceProcess] = []

    def executable(self, service: str) -> Path:
        path = self.bin_dir / f"{service}-service"
        if not path.is_file():
            pytest.fail(f"{path} does not exist: run `swift build` in {REPO_ROOT} (or set CRM_BIN_DIR)")
        return path

    def start(self, service: str, data_dir: Path | None = None, extra_args: tuple[str, ...] = ()) -> ServiceProcess:
        """Starts `service` on port 0; on a fresh data directory unless one is given; with
        `extra_args` after the standard flags."""
        if data_dir is None:
            data_dir = self.work_dir / f"data-{len(self.started)}"
            data_dir.mkdir()
        log_path = self.work_dir / f"{service}-{len(self.started)}.stderr.log"
        process = ServiceProcess(self.executable(service), data_dir, log_path, tuple(extra_args))
        self.started.append(process)
        return process

    def crm(self, *arguments: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        """Runs the `crm` command with `arguments`, outside the developer's CRM_* settings but
        with `env` added."""
        path = self.bin_dir / "crm"
        if not path.is_file():
            pytest.fail(f"{path} does not exist: run `swift build` in {REPO_ROOT} (or set CRM_BIN_DIR)")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")} | (env or {})
        return subprocess.run(
            [str(path), *arguments], capture_output=True, text=True, timeout=timeout, env=environment,
            stdin=subprocess.DEVNULL,
        )

    def stop_all(self) -> None:
        # Signal all first, then wait: shutdowns overlap instead of adding up.
        for process in self.started:
            if process.process.poll() is None:
                process.process.send_signal(signal.SIGTERM)
        for process in self.started:
            process.close()

    def logs(self) -> str:
        return "\n".join(p.logs() for p in self.started)


@pytest.fixture
def launcher(bin_dir, tmp_path):
    launcher = Launcher(bin_dir, tmp_path)
    try:
        yield launcher
    finally:
        launcher.stop_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Attach the services' stderr to a failing test's report while the processes still exist.
    outcome = yield
    report = outcome.get_result()
    launcher = item.funcargs.get("launcher") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(launcher, Launcher) and launcher.started:
        report.sections.append(("service logs", launcher.logs()))


# --- channels ----------------------------------------------------------------------------------


class _CallDetails(
    collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


class DefaultDeadline(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Gives every call a deadline, including those made inside grpcio-reflection's client,
    which sets none of its own."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def _details(self, details):
        if details.timeout is not None:
            return details
        return _CallDetails(
            details.method, self.seconds, details.metadata, details.credentials,
            getattr(details, "wait_for_ready", None), getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details), requests)


@pytest.fixture
def connect():
    """Opens plaintext channels to loopback addresses; all closed after the test."""
    channels: list[grpc.Channel] = []

    def open_channel(address: str) -> grpc.Channel:
        # An http_proxy in the environment would otherwise capture even loopback traffic.
        raw = grpc.insecure_channel(address, options=[("grpc.enable_http_proxy", 0)])
        channels.append(raw)
        return grpc.intercept_channel(raw, DefaultDeadline(RPC_TIMEOUT_SECONDS))

    try:
        yield open_channel
    finally:
        for channel in channels:
            channel.close()
