"""The description file a run writes: read once, rewritten atomically per class.

Each class a server answered is written at once (under a lock), so the
answers already paid for survive an interrupted or failed run.
"""
import threading
from typing import Dict, Optional, Sequence

from .description_file import new_document, write_description_file
from .description_prompt import ClassPrompt
from .description_rules import normalise, set_problems
from .llm_client import ClassFailed


class DescriptionStore:
    """The output file, read once, then rewritten atomically per new class."""

    def __init__(self, path: str, header: dict, order: Sequence[str] = (),
                 doc: Optional[dict] = None):
        self.path = str(path)
        self.order = {name: i for i, name in enumerate(order)}
        self._lock = threading.Lock()
        self._frozen = False
        self.doc = doc if doc is not None else new_document()
        self.doc['header'].update(header)

    def broken(self, names: Sequence[str]) -> Dict[str, str]:
        """Kept entries among ``names`` whose text cannot be right (a rule of
        :mod:`description_rules`; of two equal texts, the later one)."""
        texts = {n: self.doc['classes'][n]['text'] for n in names
                 if n in self.doc['classes']}
        return set_problems(texts)[0]

    def duplicate_of(self, name: str, text: str) -> Optional[str]:
        """Why ``text`` may not describe ``name``: another class has it."""
        key = normalise(text)
        for other, entry in self.doc['classes'].items():
            if other != name and normalise(entry['text']) == key:
                return f'the same text as {other!r}'
        return None

    def save(self):
        """Write the document as it is (e.g. a new header)."""
        with self._lock:
            write_description_file(self.path, self.doc)

    def is_cached(self, prompt: ClassPrompt, model: str,
                  keep_existing: bool = False) -> bool:
        """Whether the file already answers this prompt with this model."""
        entry = self.doc['classes'].get(prompt.name)
        if entry is None or keep_existing:
            return entry is not None
        return entry['prompt_hash'] == prompt.hash and entry['model'] == model

    def update_levels(self, levels: Dict[str, int]) -> None:
        """Set the ``level`` of kept entries (a tree may add levels above a
        flat list's classes); rewrites the file only when one changed."""
        with self._lock:
            stale = {name: level for name, level in levels.items()
                     if name in self.doc['classes']
                     and self.doc['classes'][name].get('level') != level}
            for name, level in stale.items():
                self.doc['classes'][name]['level'] = level
            if stale:
                write_description_file(self.path, self.doc)

    def freeze(self):
        """No write starts after this returns (one in progress finishes
        first): the run was interrupted and the process may exit at once."""
        with self._lock:
            self._frozen = True

    def put(self, name: str, entry: dict):
        """Store one class; refuse a text another class got meanwhile."""
        with self._lock:
            if self._frozen:
                raise ClassFailed('not saved: the run was interrupted')
            taken = self.duplicate_of(name, entry['text'])
            if taken:
                raise ClassFailed(f'answer rejected: {taken} (run again to ask '
                                  'for a new one)')
            classes = {**self.doc['classes'], name: entry}
            # Class order of the hierarchy (coarsest first), others after.
            ranked = sorted(classes, key=lambda n: self.order.get(n, len(self.order)))
            self.doc['classes'] = {n: classes[n] for n in ranked}
            write_description_file(self.path, self.doc)
