"""Slack: Bolt's SlackRequestHandler -> kg.answer -> format_for_slack()."""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, FastAPI, Request, Response
from slack_bolt import Ack, App, BoltResponse, Respond
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool

from api.errors import problem
from kg.answer import answer
from kg.errors import KGError
from kg.kb import KB
from kg.settings import Settings
from kg.types import Answer, Item, SourceRef, Value

log = logging.getLogger(__name__)

Block = dict[str, Any]
SPARQL_ACTION = "kgqa_show_sparql"
SECTION_CHARS = 3000  # Slack's limit for one section's text
MAX_BLOCKS = 50  # Slack's limit for one message
BUTTON_VALUE_CHARS = 2000  # Slack's limit for a button's value
MAX_ITEMS = 25
ITEM_CHARS = 300
LEAD_CHARS = 600  # a list answer's sentence repeats its items, which the bullets show in full
TOP_SOURCES = 3
EXAMPLES = (
    "which services can write to Amazon Redshift?",
    "what is the write limit of a Kinesis Data Streams shard?",
    "what reads from Kinesis Data Streams?",
    "how is Amazon Redshift encrypted at rest?",
)
HELP_TEXT = "Ask kgqa about the AWS data-analytics course: /kgqa <question>"
SORRY = "Sorry, kgqa could not answer that; the error was logged."
VERDICTS = {"yes": ":white_check_mark: *Yes*", "no": ":x: *No*"}
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class SlackConfigError(KGError):
    """A Slack mode started without the token it needs."""

    status = 500
    code = "slack_not_configured"


class SeenEvents:
    """Ids of events already acknowledged, so a retried event is answered once (per process)."""

    def __init__(self, *, size: int = 10_000, ttl_s: float = 3600.0) -> None:
        self.size = size
        self.ttl_s = ttl_s
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, keys: Sequence[str]) -> bool:
        """True unless a key was seen within the TTL; records the keys either way."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self.size or next(iter(self._seen.values())) < now - self.ttl_s
            ):
                self._seen.popitem(last=False)
            fresh = not any(key in self._seen for key in keys)
            for key in keys:
                self._seen[key] = now
                self._seen.move_to_end(key)
            return fresh


def escape(text: str) -> str:
    """Text safe in Slack mrkdwn: &, < and > escaped as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most limit characters, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else re.sub(r"&[a-z]*$", "", cut)
    return cut + "…"


def section(text: str) -> Block:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    """A context block of one mrkdwn line."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def slides_of(sources: Sequence[SourceRef]) -> str:
    """ "slide 12" or "slides 12, 40"."""
    numbers = sorted({source.slide for source in sources})
    if not numbers:
        return ""
    return ("slide " if len(numbers) == 1 else "slides ") + ", ".join(map(str, numbers))


def item_line(item: Item) -> str:
    """One bullet: the label in bold, its slides, its note."""
    where = slides_of(item.sources)
    line = f"• *{escape(item.label)}*" + (f" ({where})" if where else "")
    return truncate(line + (f" — {escape(item.note)}" if item.note else ""), ITEM_CHARS)


def pack(lines: Sequence[str], limit: int) -> list[str]:
    """Lines joined by newlines into as few chunks of at most limit characters as fit."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return chunks


def ask_url(base_url: str, question: str) -> str:
    """The HTTP answer to a question on the public service."""
    return f"{base_url.rstrip('/')}/ask?{urlencode({'q': question})}"


def list_blocks(answer: Answer, *, base_url: str) -> list[Block]:
    """The items as bullets, at most MAX_ITEMS, then "and N more" linking the HTTP answer."""
    lines = [item_line(item) for item in answer.items[:MAX_ITEMS]]
    blocks = [section(chunk) for chunk in pack(lines, SECTION_CHARS)]
    hidden = len(answer.items) - len(lines)
    if hidden > 0:
        more = f"_and {hidden} more_"
        if base_url:
            more += f" · <{ask_url(base_url, answer.question)}|see the full answer>"
        blocks.append(context(more))
    return blocks


def value_block(value: Value) -> Block:
    """The figure of a limit answer, highlighted."""
    quantity = f" — {escape(value.quantity)}" if value.quantity else ""
    return section(f":straight_ruler: *{escape(value.text)}*{quantity}")


def sources_block(answer: Answer) -> Block:
    """A context line: the top sources (slide number and title) and the confidence."""
    shown = dict.fromkeys((s.slide, s.title) for s in answer.sources)
    cited = " · ".join(f"slide {n}: {escape(title)}" for n, title in list(shown)[:TOP_SOURCES])
    lead = f"Sources: {cited}" if cited else "No sources"
    return context(truncate(f"{lead} | confidence {answer.confidence:.2f}", SECTION_CHARS))


def sparql_button(answer: Answer) -> Block | None:
    """A button whose action shows the SPARQL used; it carries the question, not the query.

    A runnable query (its values inlined) is often longer than the 2,000 characters a button's
    value may hold; the question is short, and answering it again gives the same SPARQL.
    """
    if not answer.sparql or len(answer.question) > BUTTON_VALUE_CHARS:
        return None
    button = {
        "type": "button",
        "action_id": SPARQL_ACTION,
        "text": {"type": "plain_text", "text": "Show SPARQL"},
        "value": answer.question,
    }
    return {"type": "actions", "elements": [button]}


def format_for_slack(answer: Answer, *, base_url: str = "") -> list[Block]:
    """The answer as Block Kit blocks within Slack's limits."""
    blocks = [section(VERDICTS[answer.verdict])] if answer.verdict else []
    lead = LEAD_CHARS if answer.items else SECTION_CHARS
    blocks.append(section(truncate(escape(answer.answer), lead)))
    if answer.value is not None:
        blocks.append(value_block(answer.value))
    blocks += list_blocks(answer, base_url=base_url)
    blocks.append(sources_block(answer))
    button = sparql_button(answer)
    return blocks + [button] if button else blocks


def format_help() -> list[Block]:
    """Usage and example questions."""
    examples = "\n".join(f"• `/kgqa {question}`" for question in EXAMPLES)
    return [
        section(
            "*kgqa* answers questions about the AWS data-analytics course deck and cites its "
            "slides. Ask with `/kgqa <question>`, mention the bot in a channel, or send it a "
            "direct message."
        ),
        section(f"*Examples*\n{examples}"),
        context(
            "Each answer lists its sources (slide and title) and confidence; "
            "*Show SPARQL* shows the graph query behind it."
        ),
    ]


def format_sparql(sparql: str) -> list[Block]:
    """The SPARQL behind an answer as code: one section, or runs of whole lines in several when
    it is longer (the code blocks joined by newlines give the query back)."""
    escaped = escape(sparql)
    whole = f"*SPARQL used*\n```{escaped}```"
    if len(whole) <= SECTION_CHARS:
        return [section(whole)]
    lines = [truncate(line, SECTION_CHARS - 8) for line in escaped.split("\n")]
    chunks = pack(lines, SECTION_CHARS - 8)[: MAX_BLOCKS - 1]
    return [section("*SPARQL used*")] + [section(f"```{chunk}```") for chunk in chunks]


def fallback_text(answer: Answer) -> str:
    """The plain text Slack shows in notifications."""
    return truncate(escape(answer.answer), SECTION_CHARS)


def question_from(text: str) -> str:
    """The question in a Slack message: mentions removed, Slack's escapes undone."""
    return " ".join(html.unescape(MENTION.sub(" ", text)).split())


def is_help(question: str) -> bool:
    """An empty question or "help" asks for the help."""
    return question.lower() in {"", "help", "?"}


def reply_for(
    question: str, get_kb: Callable[[], KB], *, k: int, base_url: str
) -> tuple[str, list[Block]]:
    """Fallback text and blocks answering one question; never raises."""
    if is_help(question):
        return HELP_TEXT, format_help()
    try:
        result = answer(question, get_kb(), k=k)
    except KGError as e:
        return escape(str(e)), [section(escape(str(e)))]
    except Exception:  # the one broad except: the user gets a short reply, the log the traceback
        log.exception("slack: answering %r failed", question)
        return SORRY, [section(SORRY)]
    return fallback_text(result), format_for_slack(result, base_url=base_url)


def event_keys(body: dict[str, Any]) -> list[str]:
    """The ids of an Events API delivery and of its message, for de-duplication."""
    event = body.get("event")
    event = event if isinstance(event, dict) else {}  # a malformed delivery names no message
    keys = [f"event:{body['event_id']}"] if body.get("event_id") else []
    return keys + ([f"msg:{event['client_msg_id']}"] if event.get("client_msg_id") else [])


def from_a_person(event: dict[str, Any]) -> bool:
    """A new message written by a person, not a bot (our own replies included) or an edit."""
    return not event.get("bot_id") and not event.get("subtype")


def build_bolt_app(
    settings: Settings, *, get_kb: Callable[[], KB], executor: Executor, socket_mode: bool = False
) -> App:
    """The Bolt app: signature check, local authorize, de-duplication, four listeners."""
    bot_token = settings.slack_bot_token.get_secret_value()

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """The configured bot token, without calling auth.test."""
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=bot_token)

    bolt = App(
        name="kgqa",
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        authorize=authorize,
        client=WebClient(base_url=settings.slack_api_url.rstrip("/") + "/"),
        process_before_response=True,  # ack inside the request; answers run as lazy listeners
        request_verification_enabled=not socket_mode,  # Socket Mode requests carry no signature
        token_verification_enabled=False,
        listener_executor=executor,
    )
    bolt.use(drop_repeats(SeenEvents()))
    add_listeners(bolt, get_kb=get_kb, settings=settings)
    return bolt


def drop_repeats(seen: SeenEvents) -> Callable[..., BoltResponse | None]:
    """A global middleware that acknowledges an already-seen event without answering again."""

    def middleware(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """Stop a repeated event here with a 200, so Slack stops retrying."""
        keys = event_keys(body)
        if keys and not seen.first_time(keys):
            log.info("slack: %s already answered; acknowledged again", keys[0])
            return BoltResponse(status=200, body="")
        next()
        return None

    return middleware


def add_listeners(bolt: App, *, get_kb: Callable[[], KB], settings: Settings) -> None:
    """Slash command, mention, DM and the SPARQL button: ack at once, answer lazily."""

    def reply(text: str) -> tuple[str, list[Block]]:
        """Answer the question in a Slack text."""
        return reply_for(
            question_from(text), get_kb, k=settings.top_k, base_url=settings.public_base_url
        )

    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        """Acknowledge at once; the help needs no lookup, so it is the acknowledgement."""
        if is_help(question_from(command.get("text", ""))):
            ack(text=HELP_TEXT, blocks=format_help(), response_type="ephemeral")
        else:
            ack()

    def answer_command(command: dict[str, Any], respond: Respond) -> None:
        """Post the answer through the command's response_url."""
        if not is_help(question_from(command.get("text", ""))):
            text, blocks = reply(command.get("text", ""))
            respond(text=text, blocks=blocks, response_type="in_channel")

    def acknowledge(ack: Ack) -> None:
        """Acknowledge at once."""
        ack()

    def answer_event(event: dict[str, Any], client: WebClient) -> None:
        """Reply in the thread of a mention or of a direct message."""
        direct = event.get("type") == "app_mention" or event.get("channel_type") == "im"
        if direct and from_a_person(event):
            text, blocks = reply(event.get("text", ""))
            thread = event.get("thread_ts") or event["ts"]
            client.chat_postMessage(
                channel=event["channel"], thread_ts=thread, text=text, blocks=blocks
            )

    def show_sparql(body: dict[str, Any], respond: Respond) -> None:
        """Show the SPARQL of the button's question to the person who clicked it."""
        question = str(body["actions"][0].get("value", ""))
        try:
            sparql = answer(question, get_kb(), k=settings.top_k).sparql or ""
        except Exception:  # the one broad except: the user gets a short reply, the log the trace
            log.exception("slack: showing the SPARQL of %r failed", question)
            respond(text=SORRY, response_type="ephemeral", replace_original=False)
            return
        respond(
            text="SPARQL used",
            blocks=format_sparql(sparql),
            response_type="ephemeral",
            replace_original=False,
        )

    bolt.command("/kgqa")(ack=ack_command, lazy=[answer_command])
    bolt.event("app_mention")(ack=acknowledge, lazy=[answer_event])
    bolt.event("message")(ack=acknowledge, lazy=[answer_event])
    bolt.action(SPARQL_ACTION)(ack=acknowledge, lazy=[show_sparql])


# What parsing a body Bolt cannot read raises (JSON, form fields, their encoding).
MALFORMED = (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError)
# Slack refuses requests older than this; so do we (replays).
MAX_REQUEST_AGE_S = 60 * 5


def signature_problem(secret: bytes, body: bytes, headers: Any) -> str | None:
    """Why a request is not validly signed by Slack, or None when it is.

    Checked over the raw bytes (slack_sdk's verifier decodes the body first and raises on
    non-UTF-8), before Bolt parses anything.
    """
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not timestamp or not signature:
        return "missing X-Slack-Request-Timestamp or X-Slack-Signature"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "X-Slack-Request-Timestamp is not a Unix time in seconds"
    if abs(time.time() - int(timestamp)) > MAX_REQUEST_AGE_S:
        return "X-Slack-Request-Timestamp is more than 5 minutes away from now"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "X-Slack-Signature does not match the body"
    return None


def payload_problem(body: bytes, content_type: str) -> str | None:
    """What is wrong with the shape of a payload Bolt would choke on, or None."""
    text = body.decode("utf-8")
    if content_type.startswith("application/json"):
        data: Any = json.loads(text) if text.strip() else {}
    else:
        form = parse_qs(text)
        data = json.loads(form["payload"][0]) if "payload" in form else {}
    if not isinstance(data, dict):
        return "the payload is not an object"
    if not isinstance(data.get("event", {}), dict):
        return "the payload's event is not an object"
    return None


def client_of(request: Request) -> str:
    """The peer address, for a log line."""
    return request.client.host if request.client else "unknown"


def mount_slack(app: FastAPI, settings: Settings) -> None:
    """Add POST /slack/events, answering from app.state.kb; call it before the app starts."""

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[dict[str, Any]]:
        """One Bolt app and executor per run; answers in flight finish at shutdown."""
        executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kgqa-slack")
        bolt = build_bolt_app(settings, get_kb=lambda: app.state.kb, executor=executor)
        try:
            yield {"slack_handler": SlackRequestHandler(bolt)}
        finally:
            await run_in_threadpool(executor.shutdown)

    router = APIRouter(lifespan=lifespan)
    secret = settings.slack_signing_secret.get_secret_value().encode()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        """Events, commands and actions: verified here (401), then Bolt acks; answers follow."""
        body = await request.body()
        refusal = signature_problem(secret, body, request.headers)
        if refusal is not None:
            log.info("slack: refused a request from %s: %s", client_of(request), refusal)
            return problem(401, "invalid_signature", refusal)
        handler: SlackRequestHandler = request.state.slack_handler
        try:
            shape = payload_problem(body, request.headers.get("content-type", ""))
            if shape is not None:
                raise ValueError(shape)
            return await handler.handle(request)
        except MALFORMED as e:
            # Signed, so from Slack or someone holding the secret, but not a payload Bolt reads.
            log.warning("slack: a signed request had a malformed body (%s)", type(e).__name__)
            return problem(400, "malformed_payload", "the Slack payload could not be parsed")

    app.include_router(router)
    log.info("slack: on at POST /slack/events")


def run_socket_mode(settings: Settings, kb: KB) -> None:
    """Answer Slack over Socket Mode (no public URL); blocks until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app_token = settings.slack_app_token.get_secret_value()
    if not app_token or not settings.slack_bot_token.get_secret_value():
        raise SlackConfigError(
            "Socket Mode needs KGQA_SLACK_APP_TOKEN (an app-level xapp- token with "
            "connections:write) and KGQA_SLACK_BOT_TOKEN (xoxb-); see docs/slack.md"
        )
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="kgqa-slack") as executor:
        bolt = build_bolt_app(settings, get_kb=lambda: kb, executor=executor, socket_mode=True)
        handler = SocketModeHandler(bolt, app_token)
        log.info("slack: on over Socket Mode")
        try:
            handler.start()  # type: ignore[no-untyped-call]
        finally:
            handler.close()  # type: ignore[no-untyped-call]
