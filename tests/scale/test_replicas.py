"""Two replicas on an Oxigraph server: same answers as embedded, a new version under load with
no failed request, and recovery from a SPARQL server outage without a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.http import ask_kb
from kg.kb import KB, load_kb
from kg.publish import publish, served_version
from kg.settings import PROJECT_ROOT
from tests.conftest import EMBED_MODEL, build_data_dir
from tests.scale.conftest import OxigraphServer, Replica, replica_settings

pytestmark = pytest.mark.slow

QUESTIONS = (
    "which services can write to Redshift?",
    "What is the maximum size of an SQS message?",
    "Can Kinesis Data Firehose write to DynamoDB?",
    "Which capacity modes does DynamoDB offer?",
    "What is Amazon Athena?",
    "Kinesis Data Streams vs Firehose: which one can replay data?",
    "How is data encrypted at rest in Kinesis Data Streams?",
    "tell me something about quantum gardening",
)
LOAD_SECONDS = 20.0
SWITCH_WITHIN_S = 10.0
RECOVER_WITHIN_S = 15.0
FIRST_LOAD_WITHIN_S = 90.0  # the first load also loads the model, on two shared cores
TINY_DECK = PROJECT_ROOT / "tests" / "data" / "tiny-deck.txt"


class Cluster:
    """Blue and green Oxigraph datasets, a versions root and two replicas following it."""

    def __init__(self, root: Path, servers: tuple[OxigraphServer, OxigraphServer]) -> None:
        self.root, self.servers = root, servers
        self.endpoints = [server.endpoint for server in servers]
        self.replicas: list[Replica] = []

    def live_server(self) -> OxigraphServer:
        """The server holding the current version."""
        served = served_version(self.root)
        assert served is not None and served.endpoint is not None
        return next(s for s in self.servers if s.endpoint == served.endpoint)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path) -> Iterator[Cluster]:
    """The sample deck published to blue, and two replicas serving it."""
    base = tmp_path_factory.mktemp("cluster")
    servers = (OxigraphServer(base / "blue"), OxigraphServer(base / "green"))
    for server in servers:
        server.start()
    cluster = Cluster(base / "versions", servers)
    publish(sample_data_dir, cluster.root, endpoints=cluster.endpoints)
    try:
        cluster.replicas = [Replica(replica_settings(cluster.root)).start() for _ in range(2)]
        yield cluster
    finally:
        for replica in cluster.replicas:
            replica.stop()
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def torch_kb(sample_data_dir: Path) -> KB:
    """The sample deck served embedded, with the replicas' encoder."""
    return load_kb(sample_data_dir, embed_model=EMBED_MODEL, embed_backend="torch")


def get_json(url: str, path: str, **params: str) -> tuple[int, dict[str, object]]:
    """Status and JSON body of one GET."""
    response = httpx.get(url + path, params=params, timeout=30)
    return response.status_code, response.json()


def wait_until(check: object, within_s: float) -> float:
    """Seconds until check() is true; fails past within_s."""
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        if check():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {within_s} s")


def test_replicas_answer_as_embedded_mode(cluster: Cluster, torch_kb: KB) -> None:
    for question in QUESTIONS:
        expected = ask_kb(question, torch_kb, k=8, max_chars=2000).model_dump(mode="json")
        answers = [get_json(r.url, "/ask", q=question) for r in cluster.replicas]
        assert answers == [(200, expected)] * 2, question
    for replica in cluster.replicas:
        status, health = get_json(replica.url, "/health")
        assert status == 200 and health["graph"] == "remote"
        assert health["version"] == served_version(cluster.root).version  # type: ignore[union-attr]


def test_replicas_sparql_goes_to_the_server(cluster: Cluster) -> None:
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a kg:Slide } }"
    counts = set()
    for replica in cluster.replicas:
        response = httpx.get(
            replica.url + "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200
        counts.add(response.json()["results"]["bindings"][0]["n"]["value"])
    slides = len(cluster.replicas[0].app.state.follower.loaded.kb.slides)
    assert counts == {str(slides)}
    update = httpx.post(cluster.replicas[0].url + "/sparql", data={"update": "DROP ALL"})
    assert update.status_code == 400


def test_replicas_switch_versions_under_load_without_a_failed_request(
    cluster: Cluster, tmp_path: Path, encoder: object
) -> None:
    new_build = build_data_dir(TINY_DECK, tmp_path / "tiny", encoder)
    before = served_version(cluster.root)
    assert before is not None
    failures: list[str] = []
    done = [0]
    stop = threading.Event()

    def client(offset: int) -> None:
        with httpx.Client(timeout=30) as http:
            n = offset
            while not stop.is_set():
                replica = cluster.replicas[n % 2]
                response = http.get(
                    replica.url + "/ask", params={"q": QUESTIONS[n % len(QUESTIONS)]}
                )
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                done[0] += 1
                n += 1

    clients = [threading.Thread(target=client, args=(n,)) for n in range(2)]
    started = time.monotonic()
    for thread in clients:
        thread.start()
    try:
        time.sleep(3)
        version = publish(new_build, cluster.root, endpoints=cluster.endpoints)
        switched = wait_until(
            lambda: all(
                get_json(r.url, "/health")[1].get("version") == version.id for r in cluster.replicas
            ),
            SWITCH_WITHIN_S,
        )
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - started)))
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
    assert version.id != before.version
    assert failures == []
    assert done[0] > 20
    assert switched <= SWITCH_WITHIN_S
    slides = {len(r.app.state.follower.loaded.kb.slides) for r in cluster.replicas}
    assert slides == {version.counts["slides"]}


def test_replicas_report_an_outage_and_recover_by_themselves(cluster: Cluster) -> None:
    server = cluster.live_server()
    server.stop()
    try:
        wait_until(lambda: all(get_json(r.url, "/ready")[0] == 503 for r in cluster.replicas), 10)
        for replica in cluster.replicas:
            status, body = get_json(replica.url, "/ask", q=QUESTIONS[0])
            assert status == 503 and body["error"] == "store_unavailable"
            assert "SPARQL server" in str(body["detail"])
            assert get_json(replica.url, "/health")[0] == 200
            status, body = get_json(replica.url, "/ready")
            assert status == 503 and "unreachable" in str(body["detail"])
    finally:
        server.start()
    recovered = wait_until(
        lambda: all(get_json(r.url, "/ready")[0] == 200 for r in cluster.replicas),
        RECOVER_WITHIN_S,
    )
    assert recovered < RECOVER_WITHIN_S
    for replica in cluster.replicas:
        assert get_json(replica.url, "/ask", q=QUESTIONS[0])[0] == 200


def test_replica_waits_for_the_first_version(tmp_path: Path, sample_data_dir: Path) -> None:
    root = tmp_path / "versions"
    replica = Replica(replica_settings(root)).start()
    try:
        status, body = get_json(replica.url, "/ready")
        assert status == 503 and "no version is published" in str(body["detail"])
        status, body = get_json(replica.url, "/ask", q=QUESTIONS[0])
        assert status == 503 and body["error"] == "not_ready"
        assert get_json(replica.url, "/health")[1]["status"] == "loading"
        version = publish(sample_data_dir, root)  # embedded: no SPARQL server
        wait_until(lambda: get_json(replica.url, "/ready")[0] == 200, FIRST_LOAD_WITHIN_S)
        health = get_json(replica.url, "/health")[1]
        assert health["version"] == version.id and health["graph"] == "embedded"
        assert get_json(replica.url, "/ask", q=QUESTIONS[0])[0] == 200
    finally:
        replica.stop()
