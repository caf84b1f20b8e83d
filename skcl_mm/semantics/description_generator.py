"""Class descriptions from an LLM through the ``openai`` client.

One chat completion per class of every level, with the paper's template and
instruction (SKCL, Fig. 3). Any OpenAI-compatible server works (OpenAI,
DeepSeek, vLLM, Ollama: ``base_url``). The key is read only from the
``OPENAI_API_KEY`` environment variable and is never written anywhere.

Requests run on ``concurrency`` threads; the openai client retries each (see
:mod:`skcl_mm.semantics.llm_client`: 429/5xx/timeouts with backoff; bad
answers are asked again, then reported). Each finished class is written to the
output file at once (:mod:`skcl_mm.semantics.description_store`), so an
interrupted run resumes where it stopped; a class whose entry has the same
prompt hash and model is not asked again, unless its text breaks a rule of
:mod:`skcl_mm.semantics.description_rules` (then it is asked again). No two
classes get the same text. Before any request, the settings are checked
(:mod:`skcl_mm.semantics.generation_inputs`) and an existing output file must
be recorded for these classes (:func:`skcl_mm.semantics.class_record.check_out_record`).
"""
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from . import class_record
from .description_file import GENERATE_TOOL, read_description_file, today
from .description_prompt import INSTRUCTION, TEMPLATE, build_prompts
from .description_rules import MAX_WORDS, MIN_WORDS
from .description_store import DescriptionStore
from .generation_inputs import check_generation_inputs
from .llm_client import (PLACEHOLDER_KEY, ClassFailed, FatalLLMError,
                         RetryPolicy, ask_class, make_client, public_url,
                         resolve_api_key)


@dataclass
class GenerationReport:
    """What a run did: classes generated, reused from the file, failed."""
    path: str
    generated: List[str] = field(default_factory=list)
    cached: List[str] = field(default_factory=list)
    failed: Dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        lines = [f'{self.path}: {len(self.generated)} generated, '
                 f'{len(self.cached)} already there, {len(self.failed)} failed.']
        failed = list(self.failed.items())
        lines += [f'  FAILED {name}: {why}' for name, why in failed[:50]]
        if len(failed) > 50:
            lines.append(f'  ... and {len(failed) - 50} more failed classes.')
        if self.failed:
            lines.append('  Finished classes are saved; run the same command '
                         'again to retry only the failed ones.')
        return '\n'.join(lines)


def make_header(model: str, base_url: Optional[str], temperature: Optional[float],
                classes_arg: str, out: str) -> dict:
    """The header of a generated file: how it was made, how to remake it."""
    from skcl_mm import __version__
    command = [GENERATE_TOOL, f'--classes {classes_arg}', f'--out {out}',
               f'--model {model}']
    if base_url:
        command.append(f'--base-url {public_url(base_url)}')
    if temperature is not None:
        command.append(f'--temperature {temperature}')
    return {
        'produced_by': f'skcl_mm {__version__} {GENERATE_TOOL}: one chat '
                       'completion per class through the openai client '
                       f'(server {public_url(base_url)}, model {model})',
        'regenerate': ' '.join(command) + '  (key from OPENAI_API_KEY)',
        'template': TEMPLATE,
        'instruction': INSTRUCTION,
        'rules': f'answers must have {MIN_WORDS} to {MAX_WORDS} words, be '
                 'English, name the class, not refuse and differ from every '
                 'other class; others are asked again',
    }


def _describe_plan(prompts, store, model, keep_existing, broken):
    """--dry-run: print every prompt and whether it would be requested."""
    for prompt in prompts:
        state = ('cached' if store and prompt.name not in broken
                 and store.is_cached(prompt, model, keep_existing)
                 else 'would request')
        if prompt.name in broken:
            state += f' again: the kept text is {broken[prompt.name]}'
        print(f'### {prompt.name} (level {prompt.level}, prompt {prompt.hash}, '
              f'{state})\n{prompt.text}\n')


def _open_store(out, header, prompts, level_classes, classes_arg, merge):
    """The store of ``out`` with its class-list record set, whether that
    record changed, and the kept entries that break a rule."""
    existing = read_description_file(out) if os.path.exists(out) else None
    record = class_record.make_record(level_classes, classes_arg)
    records = class_record.check_out_record(existing, out, record,
                                            level_classes, merge)
    changed = existing is not None and records != class_record.recorded(
        existing['header'])
    order = [prompt.name for prompt in prompts]
    store = DescriptionStore(out, header, order, existing)
    store.doc['header'][class_record.RECORD_KEY] = records
    broken = store.broken(order)
    if broken:
        shown = '; '.join(f'{n}: {why}' for n, why in list(broken.items())[:10])
        warnings.warn(f'{out}: {len(broken)} kept descriptions break the rules '
                      f'and are asked again ({shown}).')
    return store, existing is not None, changed, broken


def _run_one(client, prompt, model, temperature, policy, store, stop):
    if stop.is_set():
        raise ClassFailed('not requested: the run stopped after a fatal error')
    try:
        text = ask_class(client, prompt, model, temperature, policy,
                         cancelled=stop,
                         check=lambda t: store.duplicate_of(prompt.name, t))
    except FatalLLMError:
        stop.set()
        raise
    store.put(prompt.name, dict(level=prompt.level, text=text, model=model,
                                temperature=temperature, date=today(),
                                prompt_hash=prompt.hash))


def generate_descriptions(level_classes: Sequence[Sequence[str]], out: str,
                          model: str, *, base_url: Optional[str] = None,
                          temperature: Optional[float] = None,
                          concurrency: int = 4,
                          policy: Optional[RetryPolicy] = None,
                          fine_to_level: Optional[Sequence[Sequence[int]]] = None,
                          keep_existing: bool = False, dry_run: bool = False,
                          progress: bool = True,
                          classes_arg: Optional[str] = None,
                          merge: bool = False) -> GenerationReport:
    """Describe every class of every level into the file ``out``.

    Args:
        level_classes (list[list[str]]): Names per level, coarsest first.
        out (str): The description file; created, or resumed when it exists.
        model (str): The chat model name on the server.
        base_url (str, optional): An OpenAI-compatible server's ``.../v1``.
        temperature (float, optional): Sampling temperature (server default).
        concurrency (int): Requests in flight at once.
        policy (RetryPolicy, optional): Retries, answer attempts, timeout.
        fine_to_level (list[list[int]], optional): Grouping of fine classes,
            so that coarse prompts list their members (built-in by default).
        keep_existing (bool): Reuse every entry in ``out``, even one from
            another model or prompt; only missing classes are requested.
        dry_run (bool): Print the prompts; no key needed, nothing requested
            or written.
        progress (bool): Show a tqdm progress bar.
        classes_arg (str, optional): The ``--classes`` value recorded in the
            header (regenerate command and class-list record).
        merge (bool): Add these classes to an ``out`` recorded for other
            classes on purpose; it then records both lists.

    Returns:
        GenerationReport: Check ``report.ok``; failed classes say why.

    Raises:
        ValueError: A wrong setting, or ``out`` recorded for other classes
            (:class:`~skcl_mm.semantics.class_record.ClassListMismatchError`),
            before any request.
    """
    check_generation_inputs(out, model, base_url, temperature, concurrency,
                            dry_run)
    if not dry_run and resolve_api_key(base_url) == PLACEHOLDER_KEY:
        warnings.warn(f'OPENAI_API_KEY is not set: sending a placeholder key to '
                      f'{public_url(base_url)} (fine for a keyless local server).')
    from .class_lists import builtin_name_of
    policy = policy or RetryPolicy()
    prompts = build_prompts(level_classes, fine_to_level)
    classes_arg = classes_arg or builtin_name_of(level_classes) or 'HIERARCHY_FILE'
    header = make_header(model, base_url, temperature, classes_arg, out)
    store, exists, changed, broken = _open_store(
        out, header, prompts, level_classes, classes_arg, merge)
    report = GenerationReport(str(out))
    if dry_run:
        _describe_plan(prompts, store if exists else None, model, keep_existing,
                       broken)
        return report
    if changed:
        store.save()
    todo = [p for p in prompts if p.name in broken
            or not store.is_cached(p, model, keep_existing)]
    report.cached = [p.name for p in prompts if p not in todo]
    store.update_levels({p.name: p.level for p in prompts if p.name in report.cached})
    if todo:
        _run_all(todo, store, report, make_client(base_url, policy), model,
                 temperature, policy, concurrency, progress)
    return report


def _run_all(todo, store, report, client, model, temperature, policy,
             concurrency, progress):
    """Request ``todo`` on a thread pool; fill ``report`` as they finish."""
    from tqdm import tqdm
    stop = threading.Event()
    bar = tqdm(total=len(todo), desc='descriptions', unit='class',
               disable=not progress)
    pool = ThreadPoolExecutor(max_workers=concurrency)
    futures = {pool.submit(_run_one, client, p, model, temperature, policy,
                           store, stop): p for p in todo}
    try:
        for future in as_completed(futures):
            name = futures[future].name
            try:
                future.result()
                report.generated.append(name)
            except ClassFailed as err:
                report.failed[name] = str(err)
            bar.update(1)
    except BaseException:  # Ctrl-C: stop retrying, write nothing more
        stop.set()
        store.freeze()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        bar.close()
    pool.shutdown(wait=True)
    rank = {p.name: i for i, p in enumerate(todo)}
    report.generated.sort(key=rank.get)
    report.failed = dict(sorted(report.failed.items(), key=lambda kv: rank[kv[0]]))
