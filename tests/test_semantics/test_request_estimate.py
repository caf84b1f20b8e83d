"""The size of a description run: requests and estimated tokens."""
import math

from skcl_mm.semantics.description_prompt import build_prompts
from skcl_mm.semantics.descriptions import (build_description_set,
                                            write_description_file)
from skcl_mm.semantics.request_estimate import estimate_requests

LEVELS = [['birds', 'plants'], ['wheatear', 'dunnock', 'water dropwort']]
GROUPS = [[0, 0, 1], [0, 1, 2]]
TEXTS = {name: f'A description of the class {name}: a small test text here.'
         for level in LEVELS for name in level}
HEADER = dict(produced_by='test', regenerate='test')


def _prompts():
    return build_prompts(LEVELS, GROUPS)


def test_a_new_run_asks_every_class_and_counts_characters(tmp_path):
    prompts = _prompts()
    estimate = estimate_requests(prompts, str(tmp_path / 'none.json'), 'm')
    assert (estimate.classes, estimate.requests) == (5, 5)
    assert estimate.input_tokens == sum(math.ceil(len(p.text) / 4) + 7 for p in prompts)
    assert estimate.max_output_tokens == 5 * 400
    assert estimate.summary('m').startswith('dry run: 5 classes; 5 requests to m '
                                            '(0 already answered in --out).')


def test_stored_answers_of_this_prompt_and_model_are_not_asked_again(tmp_path):
    out = str(tmp_path / 'out.json')
    texts = dict(TEXTS)
    doc = build_description_set(texts, LEVELS, HEADER, fine_to_level=GROUPS)
    del doc['classes']['dunnock']
    doc['classes']['plants']['text'] = doc['classes']['birds']['text']  # broken
    write_description_file(out, doc)
    prompts = _prompts()
    assert estimate_requests(prompts, out, 'hand-written').requests == 2
    assert estimate_requests(prompts, out, 'other-model').requests == 5
    assert estimate_requests(prompts, out, 'other-model', keep_existing=True).requests == 2
