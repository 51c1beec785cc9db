"""The kgqa command: ingest, ask, eval, sparql, serve, slack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kg.errors import KGError
from kg.settings import PROJECT_ROOT, Settings, default_deck, get_settings

app = typer.Typer(
    help="Offline knowledge-graph question answering over slide decks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the built data lives.")]
SCORER = PROJECT_ROOT.parent / "shared" / "eval" / "score.py"


def settings_for(data_dir: Path | None) -> Settings:
    """The settings, with --data-dir applied."""
    settings = get_settings()
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir else settings


class OutputFormat(StrEnum):
    """How `kgqa sparql` prints results."""

    table = "table"
    json = "json"
    csv = "csv"


def one_line(error: BaseException) -> str:
    """An error as one line (a multi-line message is joined, a long one cut)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 500 else text[:500] + "…"


def fail(error: BaseException) -> None:
    """Print a one-line error and exit non-zero."""
    err.print(f"[red]error:[/red] {one_line(error)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def main() -> None:
    """The console script: every error a user can cause is one line and a non-zero exit."""
    try:
        app()
    except (KGError, OSError, ValueError) as e:
        err.print(f"[red]error:[/red] {one_line(e)}", highlight=False, soft_wrap=True)
        sys.exit(2)


@app.command()
def ingest(
    decks: Annotated[list[Path] | None, typer.Argument(help="Text or PDF decks.")] = None,
    data_dir: DataDir = None,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Skip the vector index.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Decks extracted in parallel.")] = 1,
) -> None:
    """Read decks, extract facts, validate and write the graph and vector index atomically."""
    from ingest.pipeline import ingest as run_ingest
    from kg.embed import embed, load_encoder

    settings = settings_for(data_dir)
    paths = decks or [default_deck()]
    started = time.perf_counter()
    try:
        with console.status("loading") as status:
            embed_fn = None
            if not no_embed:
                status.update("loading the embedding model")
                encoder = load_encoder(settings.embed_model)

                def embed_fn(texts: list[str]) -> object:
                    status.update(f"embedding {len(texts)} passages")
                    return embed(encoder, texts)

            report, extraction = run_ingest(
                paths,
                settings.data_dir,
                embed=embed_fn,  # type: ignore[arg-type]
                embed_model=settings.embed_model,
                progress=status.update,
                jobs=jobs,
            )
    except KGError as e:
        fail(e)
        return
    for failure in extraction.failures:
        err.print(f"[yellow]skipped:[/yellow] {failure}")
    print_summary(report.__dict__, settings.data_dir, time.perf_counter() - started)
    unsure = [s for record in extraction.decks for s in record.slides if s.unsure]
    if unsure:
        console.print(f"slides the parser is unsure of ({len(unsure)}):")
        for slide in unsure:
            console.print(
                f"  {slide.deck} slide {slide.number} (line {slide.line_start}) "
                f"{slide.title!r}: {slide.unsure}"
            )


def print_summary(summary: dict[str, object], data_dir: Path, seconds: float) -> None:
    """The ingest summary table."""
    table = Table(title=f"kgqa ingest -> {data_dir}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key in ("slides", "text_slides", "entities", "triples", "vectors", "negative_facts"):
        table.add_row(key.replace("_", " "), str(summary[key]))
    for kind, count in dict(summary["facts_by_kind"]).items():  # type: ignore[call-overload]
        table.add_row(f"facts: {kind}", str(count))
    for kind, count in dict(summary["relations_by_kind"]).items():  # type: ignore[call-overload]
        table.add_row(f"relations: {kind}", str(count))
    unresolved = dict(summary["unresolved"])  # type: ignore[call-overload]
    table.add_row("unresolved names", str(len(unresolved)))
    table.add_row("SHACL", "conforms" if summary["shacl_conforms"] else "VIOLATIONS")
    table.add_row("seconds", f"{seconds:.1f}")
    console.print(table)
    if unresolved:
        top = ", ".join(f"{name} ({n})" for name, n in list(unresolved.items())[:15])
        console.print(f"unresolved (add to ontology/gazetteer.toml): {top}")


def read_batch(path: Path) -> list[str]:
    """The questions of a JSONL batch; ValueError naming the line of the first bad one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read {path}: {e}") from e
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row: Any = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} line {number} is not JSON: {e}") from e
        question = row.get("question") if isinstance(row, dict) else None
        if not isinstance(question, str):
            raise ValueError(f'{path} line {number}: expected {{"question": "..."}} with a string')
        questions.append(question)
    return questions


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument()] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer object.")] = False,
    batch: Annotated[Path | None, typer.Option(help='JSONL of {"question": ...}.')] = None,
    data_dir: DataDir = None,
) -> None:
    """Answer a question (or a batch of them) from the built graph and index."""
    from kg.answer import answer
    from kg.contract import answer_to_json
    from kg.kb import load_kb

    settings = settings_for(data_dir)
    if question is None and batch is None:
        fail(ValueError("give a QUESTION or --batch FILE"))
    try:
        questions = read_batch(batch) if batch is not None else []
        kb = load_kb(
            settings.data_dir,
            embed_model=settings.embed_model,
            embed_backend=settings.embed_backend,
            onnx_dir=settings.onnx_dir,
        )
        if batch is not None:
            for number, text in enumerate(questions, start=1):
                try:
                    result = answer(text, kb, k=settings.top_k)
                except KGError as e:
                    raise KGError(f"{batch} question {number}: {e}") from e
                print(json.dumps(answer_to_json(result)), flush=True)
            return
        result = answer(question or "", kb, k=settings.top_k)
    except (KGError, ValueError) as e:
        fail(e)
        return
    if as_json:
        print(json.dumps(answer_to_json(result), indent=1))
        return
    from kgqa.render import render_answer

    render_answer(console, result)


@app.command(name="eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold questions (JSONL).")],
    data_dir: DataDir = None,
    out: Annotated[Path | None, typer.Option(help="Write every scored row.")] = None,
    show: Annotated[int, typer.Option(help="Print N wrong answers.")] = 0,
) -> None:
    """Answer the gold questions in one batch and score them with ../shared/eval/score.py."""
    from kg.answer import answer
    from kg.contract import answer_to_json
    from kg.kb import load_kb

    settings = settings_for(data_dir)
    if not SCORER.exists():
        fail(FileNotFoundError(f"no scorer at {SCORER}"))
    try:
        read_batch(gold)
        kb = load_kb(
            settings.data_dir,
            embed_model=settings.embed_model,
            embed_backend=settings.embed_backend,
            onnx_dir=settings.onnx_dir,
        )
    except (KGError, ValueError) as e:
        fail(e)
        return
    answers_path = settings.data_dir.parent / "eval-answers.jsonl"
    timings = []
    with answers_path.open("w", encoding="utf-8") as fh:
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                started = time.perf_counter()
                result = answer(json.loads(line)["question"], kb, k=settings.top_k)
                timings.append(time.perf_counter() - started)
                fh.write(json.dumps(answer_to_json(result)) + "\n")
    timings.sort()
    command = [
        sys.executable,
        str(SCORER),
        str(gold),
        "--answers",
        str(answers_path),
        "--show",
        str(show),
    ] + (["--out", str(out)] if out else [])
    subprocess.run(command, check=True)
    console.print(
        f"latency p50 {1000 * timings[len(timings) // 2]:.1f} ms, "
        f"p95 {1000 * timings[int(len(timings) * 0.95) - 1]:.1f} ms"
    )


@app.command()
def sparql(
    query: Annotated[str, typer.Argument(help="A read-only SPARQL query.")],
    data_dir: DataDir = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
) -> None:
    """Run a read-only SPARQL query over the union of all slide graphs."""
    from kg.graph import load_store, run_query
    from kg.manifest import verify_data_dir
    from kg.query_guard import QueryGuard
    from kgqa.render import print_results

    settings = settings_for(data_dir)
    choices = [f.value for f in OutputFormat]
    if fmt.lower() not in choices:
        fail(ValueError(f"unknown --format {fmt!r}: use one of {', '.join(choices)}"))
    try:
        verify_data_dir(settings.data_dir)
        store = load_store(settings.data_dir)
        # Not sandboxed: this process keeps its network (the command also runs inside other
        # programs, tests included), so only what rdflib parses as a SPARQL 1.1 query runs.
        guard = QueryGuard(sandboxed=False)
        print_results(console, run_query(store, query, guard=guard), fmt.lower())
    except KGError as e:
        fail(e)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[int | None, typer.Option()] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API, SPARQL endpoint and Slack bot with uvicorn."""
    from api.serve import serve as run_server
    from kg.manifest import verify_data_dir

    if data_dir:
        # The app reads its settings in this process (one worker) or in children (several):
        # both read the environment, and the cached settings must not predate the flag.
        os.environ["KGQA_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()
    settings = get_settings()
    try:
        verify_data_dir(settings.data_dir)
    except KGError as e:
        fail(e)
    # Requests are the unit of parallelism: math libraries spinning extra threads per worker
    # oversubscribe the cores (measured: 50 -> 75 /ask requests/s with 2 workers).
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    run_server(
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        header_timeout_s=settings.client_timeout_s,
    )


@app.command()
def publish(
    data_dir: Annotated[
        Path | None, typer.Argument(help="A built data dir (default: KGQA_DATA_DIR).")
    ] = None,
    into: Annotated[
        Path | None, typer.Option("--into", help="The versions root (default: KGQA_VERSIONS_DIR).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Query URL of the SPARQL dataset to load into.")
    ] = None,
    update_url: Annotated[str, typer.Option(help="Its SPARQL Update URL.")] = "",
    store_url: Annotated[str, typer.Option(help="Its Graph Store URL (PUT of N-Quads).")] = "",
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Make the version before the current one current.")
    ] = False,
) -> None:
    """Publish a build as the new current version (graph into a free dataset), or roll back."""
    from kg.publish import publish as publish_version
    from kg.publish import rollback as rollback_version
    from kg.store import Endpoint, endpoints_from

    settings = get_settings()
    root = into or settings.versions_dir
    if root is None:
        fail(ValueError("give --into VERSIONS_DIR or set KGQA_VERSIONS_DIR"))
        return
    endpoints = (
        [Endpoint(to, update_url, store_url)]
        if to
        else endpoints_from(
            settings.sparql_url, settings.sparql_update_url, settings.sparql_store_url
        )
    )
    try:
        if rollback:
            version = rollback_version(root, endpoints=endpoints)
        else:
            version = publish_version(data_dir or settings.data_dir, root, endpoints=endpoints)
    except KGError as e:
        fail(e)
        return
    console.print_json(data=version.to_json())
    console.print(f"current version under {root}: {version.id}")


@app.command()
def slack(
    socket: Annotated[
        bool,
        typer.Option("--socket", help="Connect over Socket Mode (needs KGQA_SLACK_APP_TOKEN)."),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Run the Slack bot over Socket Mode; HTTP mode is served by `kgqa serve` at /slack/events."""
    if not socket:
        fail(ValueError("HTTP mode runs inside `kgqa serve` at /slack/events; use --socket"))
    from api.slack import run_socket_mode
    from kg.kb import load_kb

    settings = settings_for(data_dir)
    try:
        run_socket_mode(
            settings,
            load_kb(
                settings.data_dir,
                embed_model=settings.embed_model,
                embed_backend=settings.embed_backend,
                onnx_dir=settings.onnx_dir,
            ),
        )
    except KGError as e:
        fail(e)
