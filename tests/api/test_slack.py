"""The Slack bot: signed requests in, blocks posted to a fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from slack_sdk.signature import Clock, SignatureVerifier

from api.app import create_app
from api.slack import (
    MAX_BLOCKS,
    SECTION_CHARS,
    SPARQL_ACTION,
    SeenEvents,
    format_for_slack,
    format_help,
    question_from,
)
from kg.answer import answer
from kg.kb import KB
from kg.settings import Settings
from kg.types import Answer, Item, SourceRef, Value

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token"
BASE_URL = "https://kgqa.example.org"
QUESTION = "which services can write to Amazon Redshift?"
EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
EXAMPLE_TIMESTAMP = "1531420618"
EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
EXAMPLE_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F"
    "96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)


@dataclass(frozen=True)
class Posted:
    """One POST the fake Slack received."""

    path: str
    body: dict[str, Any]
    authorization: str


class FakeSlackHandler(BaseHTTPRequestHandler):
    """Records each POST and answers as Slack does: {"ok": true}."""

    server: FakeSlack

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        """Record the call and reply ok."""
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw)
        else:
            body = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        self.server.record(Posted(self.path, body, self.headers.get("Authorization", "")))
        reply = json.dumps({"ok": True, "channel": body.get("channel"), "ts": "1.000200"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class FakeSlack(ThreadingHTTPServer):
    """The Slack Web API and response_url hooks on 127.0.0.1, as rdflib's conftest serves."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeSlackHandler)
        self.posts: list[Posted] = []
        self._arrived = threading.Condition()

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.server_port}"

    def record(self, posted: Posted) -> None:
        """Keep one received POST."""
        with self._arrived:
            self.posts.append(posted)
            self._arrived.notify_all()

    def wait_for(self, count: int, *, timeout_s: float = 30.0) -> list[Posted]:
        """The first count POSTs, waiting for them to arrive."""
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.posts) >= count, timeout_s)
            return self.posts[:count]


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake Slack, shut down after the test."""
    server = FakeSlack()
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def slack_settings(sample_settings: Settings, fake_slack: FakeSlack) -> Settings:
    """The sample settings with Slack on and its Web API at the fake server."""
    return sample_settings.model_copy(
        update={
            "slack_signing_secret": SecretStr(SECRET),
            "slack_bot_token": SecretStr(BOT_TOKEN),
            "slack_api_url": f"{fake_slack.url}/api/",
            "public_base_url": BASE_URL,
        }
    )


@pytest.fixture
def slack_app(slack_settings: Settings) -> FastAPI:
    """The service with Slack on, over the sample data dir."""
    return create_app(slack_settings)


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 of v0:timestamp:body with the signing secret."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_signed(
    client: TestClient,
    body: str,
    *,
    form: bool = False,
    secret: str = SECRET,
    age_s: int = 0,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST a body to /slack/events signed as Slack signs it; the TestClient's response."""
    timestamp = str(int(time.time()) - age_s)
    signed = {
        "Content-Type": "application/x-www-form-urlencoded" if form else "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(secret, timestamp, body),
    }
    return client.post("/slack/events", content=body, headers=signed | (headers or {}))


def command_body(text: str, response_url: str) -> str:
    """A /kgqa slash command as Slack posts it."""
    fields = {"token": "x", "team_id": "T1", "team_domain": "arch", "channel_id": "C1",
              "channel_name": "arch", "user_id": "U1", "user_name": "ana", "command": "/kgqa",
              "text": text, "api_app_id": "A1", "response_url": response_url,
              "trigger_id": "1.2.3"}  # fmt: skip
    return urlencode(fields)


def event_body(event: dict[str, Any], *, event_id: str = "Ev1") -> str:
    """An Events API delivery of one event."""
    delivery = {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                "event_id": event_id, "event_time": 1700000000, "event": event}  # fmt: skip
    return json.dumps(delivery)


def mention(text: str, *, msg_id: str = "m1") -> dict[str, Any]:
    """An app_mention event in channel C1."""
    return {"type": "app_mention", "user": "U1", "text": text, "ts": "1700000000.000100",
            "channel": "C1", "event_ts": "1700000000.000100", "client_msg_id": msg_id}  # fmt: skip


def direct_message(text: str, **extra: Any) -> dict[str, Any]:
    """A message event in a DM with the bot."""
    return {"type": "message", "channel_type": "im", "user": "U1", "text": text,
            "ts": "1700000000.000300", "channel": "D1", "event_ts": "1700000000.000300",
            "client_msg_id": "m2", **extra}  # fmt: skip


def action_body(value: str, response_url: str) -> str:
    """A click on the Show SPARQL button."""
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"},
               "api_app_id": "A1", "channel": {"id": "C1"}, "trigger_id": "1.2.3",
               "container": {"type": "message", "channel_id": "C1", "message_ts": "1.2"},
               "response_url": response_url,
               "actions": [{"type": "button", "action_id": SPARQL_ACTION, "block_id": "b1",
                            "value": value, "action_ts": "1.3"}]}  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


def expected_blocks(question: str, kb: KB, settings: Settings) -> list[dict[str, Any]]:
    """The blocks /ask's own answer() gives, formatted for Slack."""
    return format_for_slack(answer(question, kb, k=settings.top_k), base_url=BASE_URL)


def source(slide: int, title: str) -> SourceRef:
    """A hand-made source."""
    return SourceRef("sample-deck", slide, (1, 2), None, title, "text", 0.8)


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every mrkdwn text in the blocks, in order."""
    found = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    return found + [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]


LIST_ANSWER = Answer(
    question=QUESTION,
    answer="Amazon Redshift receives data from 2 entities: Kinesis Data Firehose; AWS Glue.",
    intent="writes_to",
    items=(
        Item("Kinesis Data Firehose", "kg:firehose", (source(9, "Firehose"), source(31, "R"))),
        Item("AWS Glue <ETL> & co", "kg:glue", (source(29, "AWS Glue"),)),
    ),
    sources=(source(31, "Amazon Redshift – Loading Data"), source(9, "Firehose")),
    sparql="SELECT ?entity WHERE { ?entity <https://example.org/kg#writesTo> ?target }",
    confidence=0.9,
)


def test_slack_signature_matches_slack_example() -> None:
    """The signing used by these tests and Bolt's verifier agree with Slack's documented vector."""

    class ThenClock(Clock):
        def now(self) -> float:
            """The moment of Slack's example."""
            return float(EXAMPLE_TIMESTAMP)

    verifier = SignatureVerifier(EXAMPLE_SECRET, clock=ThenClock())
    assert sign(EXAMPLE_SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_BODY) == EXAMPLE_SIGNATURE
    assert verifier.is_valid(EXAMPLE_BODY, EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE)
    assert not verifier.is_valid(EXAMPLE_BODY + "x", EXAMPLE_TIMESTAMP, EXAMPLE_SIGNATURE)


def test_slack_format_list_answer() -> None:
    """Sentence, bullets with slide numbers, sources with confidence, a SPARQL button."""
    blocks = format_for_slack(LIST_ANSWER)
    shown = texts(blocks)
    assert shown[0].startswith("Amazon Redshift receives data from 2 entities")
    assert (
        "• *Kinesis Data Firehose* (slides 9, 31)\n• *AWS Glue &lt;ETL&gt; &amp; co* (slide 29)"
        in shown
    )
    assert shown[-1] == (
        "Sources: slide 31: Amazon Redshift – Loading Data · slide 9: Firehose | confidence 0.90"
    )
    assert blocks[-1]["elements"][0]["action_id"] == SPARQL_ACTION
    assert blocks[-1]["elements"][0]["value"] == LIST_ANSWER.question


def test_slack_format_limit_highlights_value_and_verdict() -> None:
    """A limit's figure is bold in its own section; a verdict leads the message."""
    value = Value("1,000 records/sec", 1000.0, "records/sec", "write throughput per shard")
    limit = Answer(QUESTION, "Each shard takes 1,000 records/sec.", "limit", value=value,
                   verdict="no", confidence=0.8)  # fmt: skip
    shown = texts(format_for_slack(limit))
    assert shown[0] == ":x: *No*"
    assert ":straight_ruler: *1,000 records/sec* — write throughput per shard" in shown
    assert shown[-1] == "No sources | confidence 0.80"


def test_slack_format_long_answer_stays_within_limits() -> None:
    """200 long items and a huge sentence: at most 50 blocks, 3,000 characters a section."""
    items = tuple(
        Item(f"Service {n} " + "x" * 400, f"kg:s{n}", (source(n, "t"),)) for n in range(200)
    )
    long = Answer(QUESTION, "word " * 5000, "writes_to", items=items, confidence=0.5)
    blocks = format_for_slack(long, base_url=BASE_URL)
    shown = texts(blocks)
    assert len(blocks) <= MAX_BLOCKS
    assert max(len(text) for text in shown) <= SECTION_CHARS
    assert shown[-2] == (
        f"_and 175 more_ · <{BASE_URL}/ask?q=which+services+can+write+to+Amazon+Redshift%3F"
        "|see the full answer>"
    )
    assert texts(format_for_slack(long))[-2] == "_and 175 more_"


def test_slack_question_from_strips_mentions() -> None:
    """Mentions go, Slack's escapes are undone, spaces collapse."""
    assert question_from("<@U07BOT>  can S3 &amp; Glue  write &lt;here&gt;?") == (
        "can S3 & Glue write <here>?"
    )


def test_slack_seen_events_is_bounded() -> None:
    """A repeat is caught; the oldest id is forgotten when the set is full."""
    seen = SeenEvents(size=2)
    assert seen.first_time(["a"]) and not seen.first_time(["a"])
    assert seen.first_time(["b"]) and seen.first_time(["c"])
    assert seen.first_time(["a"])


def test_slack_slash_command_answers_via_response_url(
    slack_app: FastAPI, fake_slack: FakeSlack, sample_kb: KB, slack_settings: Settings
) -> None:
    """Acked at once with an empty 200; the answer goes to the response_url as Block Kit."""
    with TestClient(slack_app) as client:
        response = post_signed(
            client, command_body(QUESTION, f"{fake_slack.url}/hooks/c1"), form=True
        )
        assert response.status_code == 200 and response.text == ""
    [posted] = fake_slack.posts
    assert posted.path == "/hooks/c1"
    assert posted.body["response_type"] == "in_channel"
    assert posted.body["blocks"] == expected_blocks(QUESTION, sample_kb, slack_settings)


def test_slack_app_mention_replies_in_thread(
    slack_app: FastAPI, fake_slack: FakeSlack, sample_kb: KB, slack_settings: Settings
) -> None:
    """A mention is answered with chat.postMessage in its thread, with the bot token."""
    with TestClient(slack_app) as client:
        assert post_signed(client, event_body(mention(f"<@U07BOT> {QUESTION}"))).status_code == 200
    [posted] = fake_slack.posts
    assert posted.path == "/api/chat.postMessage"
    assert posted.authorization == f"Bearer {BOT_TOKEN}"
    assert (posted.body["channel"], posted.body["thread_ts"]) == ("C1", "1700000000.000100")
    assert posted.body["blocks"] == expected_blocks(QUESTION, sample_kb, slack_settings)


def test_slack_dm_replies_in_thread(
    slack_app: FastAPI, fake_slack: FakeSlack, sample_kb: KB, slack_settings: Settings
) -> None:
    """A direct message is answered in its thread; the bot's own messages are not."""
    with TestClient(slack_app) as client:
        post_signed(client, event_body(direct_message(QUESTION)))
        own = direct_message("an answer", bot_id="B1", client_msg_id="m3")
        assert post_signed(client, event_body(own, event_id="Ev2")).status_code == 200
    [posted] = fake_slack.posts
    assert (posted.body["channel"], posted.body["thread_ts"]) == ("D1", "1700000000.000300")
    assert posted.body["blocks"] == expected_blocks(QUESTION, sample_kb, slack_settings)


def test_slack_retry_answered_once(slack_app: FastAPI, fake_slack: FakeSlack) -> None:
    """Slack's retry of an event (same event_id) is acked with 200 and not answered again."""
    body = event_body(mention(f"<@U07BOT> {QUESTION}"))
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with TestClient(slack_app) as client:
        assert post_signed(client, body).status_code == 200
        assert post_signed(client, body, headers=retry).status_code == 200
    assert len(fake_slack.posts) == 1


def test_slack_stale_timestamp_rejected(slack_app: FastAPI, fake_slack: FakeSlack) -> None:
    """A correctly signed request older than 5 minutes gets 401 and no answer."""
    body = command_body(QUESTION, f"{fake_slack.url}/hooks/c1")
    with TestClient(slack_app) as client:
        assert post_signed(client, body, form=True, age_s=6 * 60).status_code == 401
        example = {"X-Slack-Request-Timestamp": EXAMPLE_TIMESTAMP,
                   "X-Slack-Signature": EXAMPLE_SIGNATURE}  # fmt: skip
        assert (
            client.post("/slack/events", content=EXAMPLE_BODY, headers=example).status_code == 401
        )
    assert fake_slack.posts == []


def test_slack_bad_signature_rejected(slack_app: FastAPI, fake_slack: FakeSlack) -> None:
    """Mis-signed and unsigned requests get 401 and no answer."""
    body = command_body(QUESTION, f"{fake_slack.url}/hooks/c1")
    with TestClient(slack_app) as client:
        assert post_signed(client, body, form=True, secret="not-the-secret").status_code == 401
        assert client.post("/slack/events", content=body).status_code == 401
    assert fake_slack.posts == []


@pytest.mark.parametrize("text", ["", "  help "])
def test_slack_empty_question_gets_help(
    slack_app: FastAPI, fake_slack: FakeSlack, text: str
) -> None:
    """/kgqa alone or /kgqa help: the acknowledgement itself is the help; nothing is looked up."""
    with TestClient(slack_app) as client:
        response = post_signed(client, command_body(text, f"{fake_slack.url}/hooks/c1"), form=True)
    assert response.status_code == 200
    assert response.json()["blocks"] == format_help()
    assert fake_slack.posts == []


def test_slack_sparql_button_shows_query(
    slack_app: FastAPI, fake_slack: FakeSlack, sample_kb: KB, slack_settings: Settings
) -> None:
    """Clicking Show SPARQL on a posted answer sends the query to the clicker only."""
    sparql = answer(QUESTION, sample_kb, k=slack_settings.top_k).sparql
    assert sparql
    with TestClient(slack_app) as client:
        post_signed(client, event_body(mention(QUESTION)))
        [posted] = fake_slack.wait_for(1)
        button = next(b for b in posted.body["blocks"] if b["type"] == "actions")
        value = button["elements"][0]["value"]
        post_signed(client, action_body(value, f"{fake_slack.url}/hooks/a1"), form=True)
    shown = fake_slack.posts[1]
    assert shown.path == "/hooks/a1"
    assert (shown.body["response_type"], shown.body["replace_original"]) == ("ephemeral", False)
    escaped = sparql.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    texts = [block["text"]["text"] for block in shown.body["blocks"]]
    assert texts[0].startswith("*SPARQL used*")
    code = "\n".join(text.split("```")[1] for text in texts if "```" in text)
    assert code == escaped


def test_slack_url_verification(slack_app: FastAPI) -> None:
    """Slack's Request URL check gets its challenge back."""
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    with TestClient(slack_app) as client:
        response = post_signed(client, body)
    assert response.status_code == 200 and response.json() == {"challenge": "c-123"}
