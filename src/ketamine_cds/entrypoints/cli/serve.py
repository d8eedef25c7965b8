"""``ketamine-cds serve`` (the ward application and its JSON API) and ``ketamine-cds demo load``.

``serve`` starts uvicorn with the application factory, so each of ``--workers`` processes builds
its own app from the settings; they share only the database and the secret. ``serve --demo``
first makes a new embedded record in a temporary folder and loads the demonstration ward into
it (removed when the server stops).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import uvicorn

import ketamine_cds
from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.adapters.db.migrate import upgrade
from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.bootstrap import bootstrap, check_ehr_settings
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.cli.record_common import container, record_errors
from ketamine_cds.entrypoints.http.keys import load_secret
from ketamine_cds.entrypoints.http.listeners import SPREADS, WorkerListener, worker_listener
from ketamine_cds.service.demo import DEMO_NOTICE, DemoWard, load_demo, new_order, ward_cases
from ketamine_cds.settings import DATA_DIR, DATABASE_URL

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP_FACTORY = "ketamine_cds.entrypoints.http.app:make_app"
MAX_WORKERS = 32  # more than a machine of this size could use; a typing error beyond
# uvicorn's supervisor kills a worker that does not answer its ping within this time (default 5 s):
# a worker importing the product on a busy machine can take longer than that to start.
WORKER_PING_SECONDS = 60

ExamplesOption = Annotated[
    Path | None,
    typer.Option(
        "--examples", help="Folder of the example episodes (default: the repository's own)."
    ),
]


def _examples(given: Path | None) -> Path:
    folder = given or Path(ketamine_cds.__file__).resolve().parents[2] / "examples" / "episodes"
    if not (folder / "seed-001-case-1.yaml").is_file():
        raise UserInputError(
            f"{folder} does not hold the example episodes; give --examples FOLDER "
            "(examples/episodes in the source tree)"
        )
    return folder


def load_ward(examples: Path) -> DemoWard:
    """Create (or migrate) the record the settings name and load the demonstration ward."""
    built = container(check_schema=False)
    try:
        upgrade(built.engine)
        cases = ward_cases(lambda stem: read_episode_file(examples / f"{stem}.yaml"))
        return load_demo(built.deps, built.access, cases, new_order())
    finally:
        built.engine.dispose()


def _ward_lines(ward: DemoWard) -> list[str]:
    lines = [f"DEMONSTRATION DATA: {len(ward.episodes)} episodes. {DEMO_NOTICE}"]
    lines.append("Log in as (demonstration passwords, published; never use them for patients):")
    lines += [
        f"    {name:<16} {role:<11} password: {password}" for name, role, password in ward.users
    ]
    return lines


def _port_taken(host: str, port: int) -> UserInputError:
    return UserInputError(
        f"port {port} on {host} is in use (or not allowed); give another with --port"
    )


def _hold_port(host: str, port: int, workers: int) -> WorkerListener | None:
    """Refuse a port in use; for workers that each listen, hold it from now on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UserInputError(f"'{host}' is not a host name or address this machine knows") from None
    family, kind, proto, _, address = infos[0]
    # A plain bind fails on a port anyone holds, another serve's workers' port included; a
    # bind with SO_REUSEPORT would join theirs. The port is held right after, before the
    # record is opened, so two serve commands started together cannot both take it.
    with contextlib.closing(socket.socket(family, kind, proto)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError:
            raise _port_taken(host, port) from None
    if workers == 1 or not SPREADS:
        return None
    try:
        return worker_listener(family, address)
    except OSError:
        raise _port_taken(host, port) from None


def _address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``demo`` group to ``app``."""
    demo = typer.Typer(help="The demonstration ward.", no_args_is_help=True)
    app.add_typer(demo, name="demo")

    @demo.command("load")
    @record_errors
    def load_command(examples: ExamplesOption = None) -> None:
        """Load the demonstration ward (users and the seed cases) into a new, empty record."""
        ward = load_ward(_examples(examples))
        typer.echo("\n".join(_ward_lines(ward)))

    @app.command("serve")
    @record_errors
    def serve_command(
        host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to listen on."),
        port: int = typer.Option(DEFAULT_PORT, "--port", help="Port.", min=1, max=65535),
        workers: int = typer.Option(
            1,
            "--workers",
            help="Worker processes (they share the database).",
            min=1,
            max=MAX_WORKERS,
        ),
        with_demo: Annotated[
            bool,
            typer.Option(
                "--demo", help="Serve a new temporary record holding the demonstration ward."
            ),
        ] = False,
        examples: ExamplesOption = None,
        log_level: str = typer.Option("warning", "--log-level", help="uvicorn's log level."),
    ) -> None:
        """Serve the ward application and its JSON API (/api/v1, described at /openapi.json)."""
        import uvicorn  # noqa: PLC0415 - only the server needs it

        if log_level not in {"critical", "error", "warning", "info", "debug", "trace"}:
            raise UserInputError(f"'{log_level[:20]}' is not a log level uvicorn knows")
        held = _hold_port(host, port, workers)
        folder: Path | None = None
        lines: list[str] = []
        # uvicorn raises SIGTERM again once it has stopped: as an exit, not the default kill, so
        # that the demonstration's temporary record is removed as it is on Ctrl-C.
        signal.signal(signal.SIGTERM, _exit_on_terminate)
        try:
            if with_demo:
                folder = Path(tempfile.mkdtemp(prefix="ketamine-cds-demo-"))
                os.environ[DATA_DIR] = str(folder)
                os.environ.pop(DATABASE_URL, None)
                lines = _ward_lines(load_ward(_examples(examples)))
            settings = bootstrap()
            built = container()
            built.engine.dispose()
            load_secret(settings)  # made once here, before the workers start
            check_ehr_settings(settings)  # a bad key file is one sentence here, not per worker
            url = _address(host, port)
            typer.echo(f"ketamine-cds: the ward is at {url}  (record: {built.url_shown})")
            typer.echo(f"    JSON API: {url}api/v1/   OpenAPI document: {url}openapi.json")
            for line in lines:
                typer.echo(line)
            typer.echo(f"{DECISION_SUPPORT_NOTICE} Ctrl-C stops the server.")
            options: dict[str, Any] = {
                "factory": True,
                "host": host,
                "port": port,
                "workers": workers,
                "log_level": log_level,
                "server_header": False,
                "timeout_worker_healthcheck": WORKER_PING_SECONDS,
            }
            if held is None:
                uvicorn.run(APP_FACTORY, **options)
            else:
                _serve_workers(uvicorn.Config(APP_FACTORY, **options), held)
        finally:
            if held is not None:
                held.close()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


def _serve_workers(config: uvicorn.Config, held: WorkerListener) -> None:
    """Serve with the supervisor of uvicorn, each worker on a listening socket of its own."""
    from uvicorn.supervisors import Multiprocess  # noqa: PLC0415 - only the server needs it

    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[held]).run()


def _exit_on_terminate(signum: int, frame: object) -> None:  # noqa: ARG001 - a signal handler
    raise SystemExit(128 + signum)
