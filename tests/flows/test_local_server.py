"""flows/local_server.py: a Prefect server already answering is used and left running; a port
held by something else is one clear error, with nothing left behind (issue 12, item 2)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prefect.settings import PREFECT_HOME, temporary_settings

from flows.local_server import is_healthy, local_prefect_server
from monitors.errors import PrefectUnavailable


@pytest.fixture
def private_home(tmp_path: Path) -> Iterator[Path]:
    with temporary_settings(updates={PREFECT_HOME: tmp_path}):
        yield tmp_path


def test_a_server_already_answering_is_used_and_left_running(prefect_api: str, private_home: Path) -> None:
    port = urlsplit(prefect_api).port
    said: list[str] = []
    with local_prefect_server(port, say=said.append) as server:
        assert server.started is False
        assert server.api_url == prefect_api
    assert said == [f"using the Prefect server already running at {prefect_api} (its UI: {server.url})"]
    assert is_healthy(server.url)  # not ours to stop
    assert not (private_home / "migwatch-server.log").exists()


def test_a_port_held_by_something_else_is_one_error_naming_the_log(private_home: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        said: list[str] = []
        with pytest.raises(PrefectUnavailable) as caught, local_prefect_server(port, say=said.append):
            pytest.fail("a server cannot have started on a port in use")
    log = private_home / "migwatch-server.log"
    assert said[0].startswith(f"starting a local Prefect server at http://127.0.0.1:{port}/api")
    message = str(caught.value)
    assert "stopped while starting" in message and f"Port {port} is already in use" in message, message
    assert str(log) in message


def test_a_server_started_on_another_port_gives_its_ui_that_port(private_home: Path) -> None:
    import httpx

    from tests.support.prefect_server import free_port

    port = free_port()
    with local_prefect_server(port, say=lambda _line: None) as server:
        assert server.started is True
        ui = httpx.get(f"{server.url}/ui-settings", timeout=10).json()
        assert ui["api_url"] == f"http://127.0.0.1:{port}/api"  # not Prefect's default :4200
    assert not is_healthy(server.url)
