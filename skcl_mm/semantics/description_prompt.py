"""The description prompt (SKCL, Fig. 3) and the rules an answer must follow.

The prompt is the paper's template and instruction with the class name filled
in; a coarse class also names the finest classes it groups. Its hash, recorded
with every description, tells whether a stored description answers the current
prompt. An answer must follow :mod:`skcl_mm.semantics.description_rules`
(length, English), not refuse, and name its class.
"""
import hashlib
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence

from .description_rules import MAX_WORDS, text_problem

TEMPLATE = ('A description of the class [y], {based on its appearance '
            'characteristics} and {behavioral traits or functional features}.')
INSTRUCTION = ('Please use the Template y to generate a description for class '
               '[y], ensuring the description does not exceed 300 words.')
MAX_MEMBERS_SHOWN = 30
_REFUSAL = re.compile(r"^\W*(i'm sorry|i am sorry|sorry,|i cannot|i can't|"
                      r"i can not|i'm unable|i am unable|as an ai)", re.I)


@dataclass(frozen=True)
class ClassPrompt:
    """The prompt for one class: ``text`` is the single user message."""
    name: str
    level: int
    text: str
    hash: str

    @property
    def messages(self) -> List[dict]:
        return [{'role': 'user', 'content': self.text}]


def display_name(name: str) -> str:
    """A class name as the prompt writes it ('maple_tree' -> 'maple tree')."""
    return name.replace('_', ' ')


def build_prompt(name: str, members: Sequence[str] = ()) -> str:
    """The paper's template and instruction for class ``name``.

    Args:
        name (str): The class name.
        members (Sequence[str]): Finest-level classes a coarse class groups;
            named in the prompt (at most ``MAX_MEMBERS_SHOWN``).
    """
    shown = display_name(name)
    lines = [f'Template y: "{TEMPLATE.replace("[y]", shown)}"']
    if members:
        listed = ', '.join(display_name(m) for m in members[:MAX_MEMBERS_SHOWN])
        more = len(members) - MAX_MEMBERS_SHOWN
        listed += f' and {more} more' if more > 0 else ''
        lines.append(f'The class {shown} groups these classes: {listed}.')
    lines.append(INSTRUCTION.replace('[y]', shown))
    return '\n'.join(lines)


def prompt_hash(text: str) -> str:
    """A short, stable hash of a prompt (16 hex digits of SHA-256)."""
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


def build_prompts(level_classes: Sequence[Sequence[str]],
                  fine_to_level: Optional[Sequence[Sequence[int]]] = None
                  ) -> List[ClassPrompt]:
    """One prompt per distinct class name, coarsest level first.

    Args:
        level_classes (list[list[str]]): Names per level, coarsest first.
        fine_to_level (list[list[int]], optional): ``(n_levels, n_fine)`` label
            of each fine class per level; defaults to the built-in hierarchy's
            when ``level_classes`` is one. Coarse prompts then list members.
    """
    if fine_to_level is None:
        from .class_lists import builtin_fine_to_level
        fine_to_level = builtin_fine_to_level(level_classes)
    fine = list(level_classes[-1])
    prompts, seen = [], set()
    for level, names in enumerate(level_classes):
        for index, name in enumerate(names):
            if name in seen:
                continue
            seen.add(name)
            members = []
            if fine_to_level is not None and level < len(level_classes) - 1:
                members = [fine[f] for f, parent in enumerate(fine_to_level[level])
                           if parent == index]
            text = build_prompt(name, members)
            prompts.append(ClassPrompt(name, level, text, prompt_hash(text)))
    return prompts


def _singular(word: str) -> str:
    if word.endswith('ies') and len(word) > 4:
        return word[:-3] + 'y'
    if word.endswith(('sses', 'xes', 'ches', 'shes', 'uses')):
        return word[:-2]
    if word.endswith('s') and not word.endswith('ss') and len(word) > 3:
        return word[:-1]
    return word


def _words(text: str) -> List[str]:
    return [_singular(w) for w in re.findall(r'[a-z0-9]+', text.lower())]


def mentions_class(text: str, name: str) -> bool:
    """Whether ``text`` names the class (any comma-separated alias of it,
    case, plural, '_' and '-' ignored; a trailing number like 'vehicles_1' and
    a parenthesised qualifier like 'crane (bird)' are optional)."""
    words = _words(text)
    joined = f' {" ".join(words)} '
    for alias in re.sub(r'\s*\([^)]*\)\s*$', '', name).split(','):
        alias_words = _words(alias)
        while len(alias_words) > 1 and alias_words[-1].isdigit():
            alias_words.pop()
        if alias_words and (f' {" ".join(alias_words)} ' in joined
                            or ''.join(alias_words) in words):
            return True
    return False


def validate_answer(text: Optional[str], name: str) -> Optional[str]:
    """Why an answer is not an acceptable description, or None if it is."""
    if text and _REFUSAL.match(text):
        return f'a refusal ({text.strip()[:60]!r})'
    problem = text_problem(text, MAX_WORDS)
    if problem:
        return problem
    if not mentions_class(text, name):
        return f'does not mention the class ({text.strip()[:60]!r})'
    return None
