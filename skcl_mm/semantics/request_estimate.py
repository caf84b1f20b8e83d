"""What a description run would ask: the number of requests and an estimate of tokens.

``tools/generate_descriptions.py --dry-run`` prints this first, before the
prompts, so the size of a run (14,035 classes for iNaturalist 2018's seven
ranks) is known before any key is used. Tokens are estimated, not counted
(no tokenizer of the server is at hand): a prompt is ``len(text) / 4``
tokens (the usual rule of thumb for English) plus ``MESSAGE_TOKENS`` for the
chat message around it; an answer is at most ``MAX_WORDS`` (300) words of
4/3 tokens each. Retries of broken answers are not counted.
"""
import math
import os.path as osp
from dataclasses import dataclass
from typing import Sequence

from .description_file import read_description_file
from .description_prompt import ClassPrompt
from .description_rules import MAX_WORDS
from .description_store import DescriptionStore

CHARS_PER_TOKEN = 4
MESSAGE_TOKENS = 7  # role and separators of one chat message, and the reply start
TOKENS_PER_WORD = 4 / 3


@dataclass(frozen=True)
class RequestEstimate:
    """The size of a run.

    Attributes:
        classes (int): Classes (prompts) of every level.
        requests (int): Classes that would be requested (not yet in ``--out``
            for this prompt and model, or kept there but breaking a rule).
        input_tokens (int): Estimated prompt tokens of those requests.
        max_output_tokens (int): Answer tokens if every answer had 300 words.
    """
    classes: int
    requests: int
    input_tokens: int
    max_output_tokens: int

    def summary(self, model: str) -> str:
        """One paragraph for the dry run."""
        done = self.classes - self.requests
        return (f'dry run: {self.classes:,} classes; {self.requests:,} requests to '
                f'{model} ({done:,} already answered in --out). Estimated tokens '
                f'(not counted): about {self.input_tokens:,} input (characters / '
                f'{CHARS_PER_TOKEN} + {MESSAGE_TOKENS} per message) and at most '
                f'{self.max_output_tokens:,} output ({MAX_WORDS} words x '
                f'{TOKENS_PER_WORD:.2f} tokens per answer), retries not '
                'included. Nothing is requested or written; the prompts follow.')


def estimate_requests(prompts: Sequence[ClassPrompt], out: str, model: str,
                      keep_existing: bool = False) -> RequestEstimate:
    """Requests and tokens of a run over ``prompts`` into ``out``.

    Args:
        prompts (Sequence[ClassPrompt]): One prompt per class.
        out (str): The description file the run would resume.
        model (str): The chat model (a stored answer of another model is
            asked again unless ``keep_existing``).
        keep_existing (bool): Reuse every stored class whatever its model.
    """
    todo = list(prompts)
    if osp.isfile(out):
        store = DescriptionStore(out, {}, [p.name for p in prompts],
                                 read_description_file(out))
        broken = store.broken([p.name for p in prompts])
        todo = [p for p in prompts if p.name in broken
                or not store.is_cached(p, model, keep_existing)]
    input_tokens = sum(math.ceil(len(p.text) / CHARS_PER_TOKEN) + MESSAGE_TOKENS
                       for p in todo)
    max_output = len(todo) * math.ceil(MAX_WORDS * TOKENS_PER_WORD)
    return RequestEstimate(len(prompts), len(todo), input_tokens, max_output)
