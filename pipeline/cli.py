"""`python -m pipeline <command>`: one entry point for every connector, stage and tool.

Long-running commands (``feeds``, ``clean``, ``deduplicate``, ``tag``, ``index``) are what the
docker-compose services run; ``run --once`` drives everything to completion for the demo.
Exit codes: 0 done, 1 a failure (the message says what), 2 bad usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from elastic_transport import TransportError as ElasticsearchTransportError
from kafka.errors import KafkaError
from pydantic import ValidationError

from connectors import commands as connector_commands
from connectors.feedlist import FeedsFileError
from pipeline import kibana, status
from pipeline.errors import PipelineError
from pipeline.identity import TrackingRules
from pipeline.settings import Settings, describe_errors, load_settings, unknown_variables
from pipeline.topology import STEPS

log = logging.getLogger("pipeline")


def _cmd_settings_show(args: argparse.Namespace, settings: Settings) -> int:
    print(settings.shown(), end="")
    return 0


def _cmd_setup(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.messaging import ensure_topics, wait_for_broker
    from pipeline.search_setup import client, ensure_templates
    from pipeline.topology import all_topics

    wait_for_broker(settings.kafka)
    created = ensure_topics(settings.kafka, all_topics(settings))
    print(f"topics created: {', '.join(created) if created else 'none (all existed)'}")
    ensure_templates(client(settings.elasticsearch), settings.elasticsearch)
    print("index templates and aliases: in place")
    return 0


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.run_once import run_once

    if not args.once:
        print("run without --once is not a mode: start each service instead", file=sys.stderr)
        return 2
    started = time.monotonic()
    summary = run_once(Path(args.feeds), settings)
    if summary.connector.all_failed:
        print(summary.render())
        print(f"every feed failed ({summary.connector.feeds}): see the fetch problems above",
              file=sys.stderr)
        return 1
    print(summary.render())
    print(f"done in {time.monotonic() - started:.1f}s")
    print(
        f"to see the incidents: make ui (or python -m pipeline ui), then open "
        f"http://{settings.ui.host}:{settings.ui.port}/"
    )
    return 0 if all(c.balanced() for c in summary.stages) else 1


def _cmd_stage(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import observability
    from pipeline.topology import build_runner

    telemetry = observability.start(settings.metrics, service=f"news-{args.command}")
    runner = build_runner(args.command, settings, telemetry=telemetry)
    runner.install_signal_handlers()
    counters = runner.run()
    log.info("%s stopped: %s", args.command, counters.as_dict())
    return 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    rc = 0
    if args.what in ("tag", "all"):
        from pipeline.evaluation import report

        print("== tagging: every set, development and test part (eval/README.md)")
        rc = max(rc, report.main(["--errors", args.errors] if args.errors else []))
    if args.what in ("extraction", "all"):
        from pipeline.cleaning import quality

        print("== extraction: token F1 against reference text (eval/extraction)")
        quality.main([])
    if args.what in ("stories", "all"):
        from pipeline.dedup import story_evaluation

        print("== stories: the deduplicate stage's story links across outlets (eval/stories)")
        rc = max(rc, story_evaluation.main([]))
    return rc


def _cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.ui.server import serve

    if args.host:
        settings.ui.host = args.host
    if args.port is not None:
        settings.ui.port = args.port
    serve(settings)
    return 0


def _cmd_dlq_replay(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.dlq import replay

    moved = replay(settings.kafka, args.topic, limit=args.limit)
    print(f"replayed {moved} dead letters from {args.topic}")
    return 0


def _reason(exc: ElasticsearchTransportError) -> str:
    """The innermost cause of a transport error: what an operator can act on."""
    from pipeline.errors import describe

    cause: BaseException = exc
    for _ in range(10):  # a transport error wraps urllib3's, which wraps the socket's
        inner = cause.errors[0] if isinstance(cause, ElasticsearchTransportError) and cause.errors \
            else cause.__cause__
        if not isinstance(inner, BaseException) or inner is cause:
            break
        cause = inner
    if cause is exc:
        return describe(exc)
    return f"unreachable ({type(cause).__name__}: {cause})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-v", "--verbose", "--debug", action="store_true",
        help="debug logging, with the tracebacks of failures",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    settings_cmd = commands.add_parser("settings", help="inspect settings")
    settings_sub = settings_cmd.add_subparsers(dest="settings_command", required=True)
    settings_sub.add_parser("show", help="print effective settings, secrets masked").set_defaults(
        handler=_cmd_settings_show
    )

    commands.add_parser(
        "setup", help="create topics, index templates and aliases (idempotent)"
    ).set_defaults(handler=_cmd_setup)

    run = commands.add_parser("run", help="connectors + all stages + sink")
    run.add_argument("--feeds", required=True, help="feeds YAML file")
    run.add_argument("--once", action="store_true", help="stop when every input is drained")
    run.set_defaults(handler=_cmd_run)

    connector_commands.register(commands)
    kibana.register(commands)
    status.register(commands)

    for current in STEPS:
        target = f"topic {current.output}" if current.output else "Elasticsearch"
        commands.add_parser(
            current.name, help=f"stage: {current.input} -> {target} (runs until SIGTERM)"
        ).set_defaults(handler=_cmd_stage)

    evaluate = commands.add_parser("eval", help="quality on the bundled labelled evaluation sets")
    evaluate.add_argument(
        "what", nargs="?", choices=("tag", "extraction", "stories", "all"), default="all"
    )
    evaluate.add_argument(
        "--errors", metavar="SET", help="list one set's development-part disagreements"
    )
    evaluate.set_defaults(handler=_cmd_eval)

    ui = commands.add_parser("ui", help="the analyst's read-only web view (until Ctrl-C)")
    ui.add_argument("--host", help="listen address (default: setting ui.host, 127.0.0.1)")
    ui.add_argument("--port", type=int, help="listen port (default: setting ui.port)")
    ui.set_defaults(handler=_cmd_ui)

    dlq = commands.add_parser("dlq", help="dead-letter topics")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    replay = dlq_sub.add_parser("replay", help="send dead letters back to their source topic")
    replay.add_argument("topic", help="the dead-letter topic, e.g. news.raw.dlq")
    replay.add_argument("--limit", type=int, default=None, help="replay at most N records")
    replay.set_defaults(handler=_cmd_dlq_replay)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except (ValidationError, FileNotFoundError) as exc:
        for line in describe_errors(exc):
            log.error("settings are not valid: %s", line)
        return 2
    from pipeline.observability import configure_logging

    configure_logging(settings.log, f"news-{args.command}", verbose=args.verbose)
    for name in unknown_variables():
        log.warning("%s names no setting and is ignored (see `settings show`)", name)
    try:
        # A bad tracking deny-list stops the process here, not at its first article.
        TrackingRules.from_settings(settings.identity)
    except (ValueError, OSError) as exc:
        log.error("identity settings are not valid: %s", exc)
        return 2
    try:
        return int(args.handler(args, settings))
    except FeedsFileError as exc:
        log.error("%s", exc)
        return 2
    except ElasticsearchTransportError as exc:
        log.debug("failure", exc_info=True)
        log.error("Elasticsearch at %s: %s", settings.elasticsearch.url, _reason(exc))
        return 1
    except (PipelineError, KafkaError) as exc:
        log.debug("failure", exc_info=True)
        log.error("%s: %s", type(exc).__name__, exc)
        return 1
    except KeyboardInterrupt:
        return 130
