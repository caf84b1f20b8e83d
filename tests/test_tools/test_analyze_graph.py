"""tools/analyze_graph.py on the digits quickstart config: real MiniLM, real metric files.

The digits graph (shipped descriptions, Top-2, 'both'):
zero -> closed_loop_digits, nine | one -> eight, nine | two -> open_curve_digits, one |
three -> five, nine | four -> straight_stroke_digits, seven | five -> one, seven |
six -> nine, five | seven -> one, nine | eight -> closed_loop_digits, one |
nine -> eight, closed_loop_digits.
"""
import json
import os.path as osp

import pytest
import torch

from skcl_mm.evaluation.metrics import LongTailAccuracy
from tests.tools_runner import load_tool, run_tool, run_tool_failing

CONFIG = 'configs/quickstart/skcl_resnet32_digitslt.py'
DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight',
          'nine']
# Wrong predictions per true class (10 test samples each, the rest right).
MISTAKES = {0: [9], 1: [8, 8, 2], 2: [3], 3: [5, 5, 8], 4: [9], 5: [], 6: [0, 0, 5],
            7: [1], 8: [9], 9: [4, 4, 8]}


def write_per_class(path, classes=DIGITS, mistakes=MISTAKES):
    """A per-class file written by the real LongTailAccuracy."""
    metric = LongTailAccuracy(per_class_file=str(path))
    metric.dataset_meta = dict(classes=list(classes))
    samples = []
    for y, wrong in mistakes.items():
        for pred in wrong + [y] * (10 - len(wrong)):
            samples.append(dict(gt_label=torch.tensor([y]), pred_label=torch.tensor([pred])))
    metric.process(None, samples)
    metric.compute_metrics(metric.results)
    return str(path)


@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp('graph_cache'))


@pytest.fixture(scope='module')
def report(tmp_path_factory, cache):
    """The tool as a user runs it, with --per-class and --out."""
    out = tmp_path_factory.mktemp('analyze_graph')
    per_class = write_per_class(out / 'per_class.json')
    proc = run_tool(['tools/analyze_graph.py', CONFIG, '--per-class', per_class,
                     '--out', str(out / 'report.md')], dict(SKCL_MM_CACHE=cache))
    with open(out / 'report.json') as f:
        return proc.stdout, json.load(f), (out / 'report.md').read_text()


def test_hubs_of_the_digits_graph(report):
    stdout, data, markdown = report
    assert markdown == stdout
    hubs = data['hubs']
    # Random Top-2 table: Binomial(9, 2/12): mean 1.5, std 1.118, hub above 4.854.
    assert hubs['threshold'] == pytest.approx(1.5 + 3 * (9 * 2 / 12 * 10 / 12) ** 0.5)
    assert hubs['hubs'] == [{'class': 'nine', 'in_degree': 5, 'pointed_to_by': [
        'zero', 'one', 'three', 'six', 'seven']}]
    assert hubs['most_targeted'][:2] == [['nine', 5], ['one', 4]]
    assert '| nine | 5 | zero, one, three, six, seven |' in markdown
    assert 'in-degree above 4.85 (= mean 1.50 + 3 std 1.12' in markdown


def test_links_inside_and_across_stroke_shapes(report):
    scopes = report[1]['scopes']
    # closed {0, 6, 8, 9}, straight {1, 4, 7}, open {2, 3, 5}; see the docstring.
    assert {k: scopes[k] for k in ('links', 'sibling', 'ancestor', 'cross_class',
                                   'cross_node')} == dict(
        links=20, sibling=6, ancestor=5, cross_class=9, cross_node=0)
    # Chance: (4 classes x 4/12 + 6 classes x 3/12) / 10.
    assert scopes['chance_within_share'] == pytest.approx(34 / 120)
    assert scopes['cross'][0][:2] in (['one', 'eight'], ['eight', 'one'])
    assert '20 links: 11 (55 %) stay inside the own superclass' in report[2]


def test_similarity_range(report):
    sim = report[1]['similarity']
    assert -1 <= sim['min'] < sim['median'] < sim['max'] < 1
    assert sim['threshold'] == 0.9 and sim['duplicates'] == []
    assert sim['links_min'] >= sim['median']  # Top-2 links are above the median pair


def test_agreement_with_the_per_class_file(report):
    agreement = report[1]['agreement']
    # Hits: zero-nine, one-eight, three-five, six-five, seven-one, nine-eight;
    # 13 fine neighbours over 9 classes with a mistake (five has none).
    assert (agreement['shared'], agreement['compared']) == (6, 13)
    assert agreement['agreement'] == pytest.approx(6 / 13)
    # chance: sum |N_y| |T_y| = 20, over 9 other classes and 13 neighbours.
    assert agreement['chance'] == pytest.approx(20 / 9 / 13)
    assert (agreement['classes'], agreement['without_errors'],
            agreement['coarse_links']) == (9, 1, 5)
    row = agreement['rows'][1]
    assert row == {'class': 'one', 'neighbours': ['eight', 'nine'],
                   'top_confusions': [['eight', 2], ['two', 1]], 'shared': ['eight']}
    assert 'Agreement: 6 of 13 neighbours (46 %)' in report[2]


def test_per_class_files_that_do_not_fit(tmp_path, cache, monkeypatch):
    monkeypatch.setenv('SKCL_MM_CACHE', cache)
    tool = load_tool('analyze_graph')
    other = ['airplane'] + DIGITS[1:]
    path = write_per_class(tmp_path / 'other.json', classes=other)
    with pytest.raises(SystemExit, match=r"not in the file \['zero'\], only in the "
                       r"file \['airplane'\]"):
        tool.main([CONFIG, '--per-class', path])
    swapped = write_per_class(tmp_path / 'swapped.csv', classes=DIGITS[::-1])
    with pytest.raises(SystemExit, match=r"another order: index 0 is 'nine' in the file"):
        tool.main([CONFIG, '--per-class', swapped])
    old = tmp_path / 'old.json'
    data = json.loads(open(write_per_class(old)).read())
    for row in data['classes']:
        del row['top_confusions']
    old.write_text(json.dumps(data))
    with pytest.raises(SystemExit, match='has no top_confusions column .* write a new '
                       'one: python tools/test.py'):
        tool.main([CONFIG, '--per-class', str(old)])


def test_configs_without_a_graph_stop_with_the_reason():
    output = run_tool_failing(['tools/analyze_graph.py',
                               'configs/quickstart/bcl_resnet32_digitslt.py'])
    assert 'model.head (SKCLHead, BCLLoss) reads no semantic graph' in output
    assert "contrastive_loss=dict(type='SKCLLoss'" in output
    tool = load_tool('analyze_graph')
    with pytest.raises(SystemExit, match=r'SKCLHead, no contrastive loss\) reads no'):
        tool.main(['configs/quickstart/ce_resnet32_digitslt.py'])
    with pytest.raises(SystemExit, match=r'LinearClsHead, no contrastive loss\) reads no'):
        tool.main(['configs/examples/linear_resnet32_cifar100lt.py'])
    with pytest.raises(SystemExit, match=r'K = 0 \(num_neighbours=0\): the neighbour '
                       'table is empty'):
        tool.main([CONFIG, '--cfg-options', 'model.head.contrastive_loss.num_neighbours=0'])


def test_checkpoint_confusions_match_a_plain_count(tmp_path, cache, monkeypatch):
    """--checkpoint runs the model over the test set: its confusions and top-1
    are the ones a plain loop counts over the model as mmengine's Runner builds
    it (with the config's top-level data_preprocessor)."""
    from collections import Counter

    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmpretrain.registry import MODELS
    from skcl_mm.utils.config_file import load_config
    monkeypatch.setenv('SKCL_MM_CACHE', cache)
    cfg = load_config(CONFIG)
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(dict(cfg.model, data_preprocessor=cfg.data_preprocessor)).eval()
    ckpt = str(tmp_path / 'untrained.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=DIGITS))), ckpt)
    counts, right = [Counter() for _ in DIGITS], 0
    loader = Runner.build_dataloader(cfg.test_dataloader)
    with torch.no_grad():
        for batch in loader:
            for sample in model.test_step(batch):
                y, pred = int(sample.gt_label[0]), int(sample.pred_label[0])
                right += pred == y
                if pred != y:
                    counts[y][pred] += 1
    out = tmp_path / 'report.md'
    load_tool('analyze_graph').main([CONFIG, '--checkpoint', ckpt, '--out', str(out)])
    agreement = json.loads(open(osp.join(tmp_path, 'report.json')).read())['agreement']
    for y, row in enumerate(agreement['rows']):
        expected = sorted(counts[y].items(), key=lambda item: (-item[1], item[0]))[:2]
        assert row['top_confusions'] == [[DIGITS[j], n] for j, n in expected], y
    assert f'on the test set (500 images, top-1 {right / 5:.2f} %)' in out.read_text()
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(dataset_meta=dict(classes=DIGITS[::-1]))), ckpt)
    with pytest.raises(SystemExit, match=r"--checkpoint .*another order: index 0 is "
                       r"'nine' in the checkpoint, 'zero' in the config"):
        load_tool('analyze_graph').main([CONFIG, '--checkpoint', ckpt])
