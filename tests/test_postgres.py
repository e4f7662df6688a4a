"""The throwaway PostgreSQL cluster: real server, real crash, same port after restart.

The chaos suite kills the metadata database under a running worker, so what matters is
that a SIGKILL loses nothing committed and the cluster comes back where workers expect it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from stormproof.fixtures import pg_install
from stormproof.fixtures.errors import MissingBinaryError
from stormproof.fixtures.ports import port_is_open
from stormproof.fixtures.postgres import PostgresCluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[PostgresCluster]:
    with PostgresCluster(log_dir=tmp_path) as pg:
        yield pg


def test_kill_restart_keeps_committed_rows_on_the_same_port(cluster: PostgresCluster):
    port, data_dir = cluster.port, cluster.root
    assert cluster.url == f"postgresql://postgres@127.0.0.1:{port}/stormproof"
    cluster.execute("CREATE TABLE t (id int PRIMARY KEY, note text)")
    for i in range(5):
        cluster.execute("INSERT INTO t VALUES (%s, %s)", (i, f"row {i}"))

    cluster.kill()
    assert not cluster.running()
    assert not port_is_open("127.0.0.1", port)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(cluster.url, connect_timeout=1)

    cluster.restart()
    assert (cluster.port, cluster.root) == (port, data_dir)
    assert cluster.execute("SELECT count(*), max(note) FROM t") == [(5, "row 4")]
    assert "not properly shut down" in cluster.log(200)  # it really crashed and recovered


def test_graceful_stop_and_start(cluster: PostgresCluster):
    cluster.execute("CREATE TABLE kept (x int)")
    cluster.execute("INSERT INTO kept VALUES (42)")
    cluster.stop()
    assert not cluster.running() and not port_is_open("127.0.0.1", cluster.port)
    cluster.start()
    assert cluster.execute("SELECT x FROM kept") == [(42,)]


def test_two_clusters_side_by_side(cluster: PostgresCluster, tmp_path: Path):
    with PostgresCluster(log_dir=tmp_path, name="second") as other:
        assert other.port != cluster.port and other.root != cluster.root
        cluster.execute("CREATE TABLE only_here (x int)")
        assert other.execute("SELECT to_regclass('only_here') IS NULL") == [(True,)]
        assert other.log_path.parent == tmp_path and other.log_path.exists()
    assert not other.running() and other.root is None  # closed and removed
    assert cluster.running()


def test_missing_binaries_name_the_debian_package(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pg_install, "_DEBIAN_GLOB", str(tmp_path / "nothing" / "*" / "bin"))
    with pytest.raises(MissingBinaryError, match="postgresql"):
        pg_install.find_pg_bindir()
