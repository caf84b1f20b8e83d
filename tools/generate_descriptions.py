"""Write one LLM description per class of every level (SKCL, Fig. 3 prompt).

    OPENAI_API_KEY=... python tools/generate_descriptions.py \\
        --classes cifar100 --out cifar100_descriptions.json --model gpt-4o-mini

    # any OpenAI-compatible server; a local one may need no key
    python tools/generate_descriptions.py --classes classes.yaml \\
        --out my.json --model llama3.1 --base-url http://localhost:11434/v1

    # every rank of iNaturalist 2018 (14,035 classes): see the size first
    python tools/generate_descriptions.py --classes data/inat2018/categories.json \\
        --out inat2018_descriptions.json --model gpt-4o-mini --dry-run

The key is read only from OPENAI_API_KEY. The output is written class by class:
run the same command again after an interruption or failures and only the
missing or failed classes are requested. The output file records the class
list it describes; writing other classes into it needs --merge. Exit code 0:
every class described; 1: some classes failed (listed; the others are saved);
2: bad input, found before any request; 130: interrupted (finished classes
are saved).
"""
import argparse
import os
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate class descriptions through an OpenAI-compatible '
        'chat API (key from the OPENAI_API_KEY environment variable).')
    parser.add_argument('--classes', required=True,
                        help="'cifar10', 'cifar100', 'imagenet', 'digits', or a file: "
                        'a hierarchy tree (the JSON/YAML file the dataset\'s '
                        'hierarchy= takes), class names per level (JSON/YAML '
                        'list of lists, coarsest first), an iNaturalist '
                        'annotation file or categories.json (its seven ranks) '
                        'or text, one name per line')
    parser.add_argument('--out', required=True, help='output JSON file; '
                        'resumed when it exists (it must describe the same '
                        'classes, or give --merge)')
    parser.add_argument('--merge', action='store_true',
                        help='add these classes to an --out generated for '
                        'other classes (it then records both class lists)')
    parser.add_argument('--model', required=True, help='chat model name')
    parser.add_argument('--base-url', default=None,
                        help='OpenAI-compatible server, e.g. '
                        'http://localhost:8000/v1 (without it: OpenAI)')
    parser.add_argument('--temperature', type=float, default=None,
                        help='sampling temperature (default: the server\'s)')
    parser.add_argument('--concurrency', type=int, default=4,
                        help='requests in flight at once')
    parser.add_argument('--max-retries', type=int, default=6,
                        help='retries per request by the openai client (408, '
                        '409, 429, 5xx, timeouts, connection errors; it waits '
                        'what Retry-After asks, up to 2 minutes)')
    parser.add_argument('--answer-attempts', type=int, default=3,
                        help='answers asked per class before reporting it')
    parser.add_argument('--timeout', type=float, default=120.0,
                        help='seconds per request')
    parser.add_argument('--keep-existing', action='store_true',
                        help='reuse every class already in --out, even from '
                        'another model or prompt; request only missing ones')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the number of requests and an estimate of '
                        'tokens, then the prompts; make no request, write nothing')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser.parse_args(argv)


def print_estimate(lists, args) -> None:
    """The number of requests and the estimated tokens of the run."""
    from skcl_mm.semantics.description_prompt import build_prompts
    from skcl_mm.semantics.request_estimate import estimate_requests
    prompts = build_prompts(lists.level_classes, lists.fine_to_level)
    estimate = estimate_requests(prompts, args.out, args.model, args.keep_existing)
    print(estimate.summary(args.model) + '\n', flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    from skcl_mm.semantics.class_lists import load_class_lists
    from skcl_mm.semantics.description_generator import generate_descriptions
    from skcl_mm.semantics.descriptions import DescriptionFileError
    from skcl_mm.semantics.generation_inputs import check_classes_file
    from skcl_mm.semantics.llm_client import (MissingAPIKeyError, RetryPolicy,
                                              resolve_api_key)
    try:
        if not args.dry_run:
            resolve_api_key(args.base_url)
        policy = RetryPolicy(max_retries=args.max_retries,
                             answer_attempts=args.answer_attempts,
                             timeout=args.timeout)
        check_classes_file(args.classes)
        lists = load_class_lists(args.classes)
        if args.dry_run:
            print_estimate(lists, args)
        report = generate_descriptions(
            lists.level_classes, args.out, args.model, base_url=args.base_url,
            temperature=args.temperature, concurrency=args.concurrency,
            policy=policy, fine_to_level=lists.fine_to_level,
            keep_existing=args.keep_existing, dry_run=args.dry_run,
            progress=not args.no_progress, classes_arg=args.classes,
            merge=args.merge)
    except (MissingAPIKeyError, DescriptionFileError, FileNotFoundError,
            ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    except OSError as err:  # e.g. a file that cannot be read
        print(f'error: {err.filename or ""}: {err.strerror or err}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f'interrupted: the classes finished so far are saved in '
              f'{args.out}; run the same command again to go on.', file=sys.stderr)
        return 130
    if args.dry_run:
        return 0
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == '__main__':
    code = main()
    if code == 130:  # requests still in flight must not hold the exit up
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
